import * as tf from "@tensorflow/tfjs";
import { runBackendKernel, type WasmBackend } from "./wasm_backend.js";

/**
 * `Einsum` for wasm, for one or two operands without ellipses or repeated letters within an operand (the
 * subset `tf.einsum` accepts). Two operands are reduced to one batched product: letters are sorted into
 * batch (both inputs and output), contracted (both inputs only), free (one input and output) and summed
 * (one input only, reduced first); each operand is transposed to [batch, free, contracted] /
 * [batch, contracted, free] so the product needs no transpose flags — with a batch of 1 it is a plain 2-D
 * product, the one XNNPACK accelerates.
 */
function einsum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const operands = Object.values(args.inputs) as tf.TensorInfo[];
  const equation = (args.attrs as { equation: string }).equation;
  const { inputs: letters, output } = parseEquation(equation, operands.length);
  const sizes = dimensionSizes(letters, operands, equation);
  const temps: tf.TensorInfo[] = [];
  const keep = (info: tf.TensorInfo): tf.TensorInfo => {
    temps.push(info);
    return info;
  };
  try {
    let result: tf.TensorInfo;
    let resultLetters: string;
    if (operands.length === 1) {
      [result, resultLetters] = sumAway(operands[0] as tf.TensorInfo, letters[0] as string, output, backend, keep);
    } else {
      const [aLetters, bLetters] = letters as [string, string];
      // A letter only one operand has and the output lacks can be summed before the product.
      const [a, aKept] = sumAway(operands[0] as tf.TensorInfo, aLetters, output + bLetters, backend, keep);
      const [b, bKept] = sumAway(operands[1] as tf.TensorInfo, bLetters, output + aLetters, backend, keep);
      const batch = [...aKept].filter((c) => bKept.includes(c) && output.includes(c));
      const contracted = [...aKept].filter((c) => bKept.includes(c) && !output.includes(c));
      const aFree = [...aKept].filter((c) => !bKept.includes(c));
      const bFree = [...bKept].filter((c) => !aKept.includes(c));
      const size = (cs: string[]): number => cs.reduce((n, c) => n * (sizes.get(c) as number), 1);
      const a3 = arrange(
        a,
        aKept,
        [...batch, ...aFree, ...contracted],
        [size(batch), size(aFree), size(contracted)],
        backend,
        keep,
      );
      const b3 = arrange(
        b,
        bKept,
        [...batch, ...contracted, ...bFree],
        [size(batch), size(contracted), size(bFree)],
        backend,
        keep,
      );
      const product = keep(
        runBackendKernel("BatchMatMul", backend, { a: a3, b: b3 }, { transposeA: false, transposeB: false }),
      );
      resultLetters = [...batch, ...aFree, ...bFree].join("");
      result = keep(
        runBackendKernel(
          "Reshape",
          backend,
          { x: product },
          { shape: [...resultLetters].map((c) => sizes.get(c) as number) },
        ),
      );
    }
    const perm = [...output].map((c) => resultLetters.indexOf(c));
    const final = perm.every((p, i) => p === i)
      ? runBackendKernel("Identity", backend, { x: result })
      : runBackendKernel("Transpose", backend, { x: result }, { perm });
    return final;
  } finally {
    for (const info of temps) backend.disposeData(info.dataId);
  }
}

/** Sums the axes whose letters are not in `needed`; returns the tensor and its remaining letters. */
function sumAway(
  x: tf.TensorInfo,
  letters: string,
  needed: string,
  backend: WasmBackend,
  keep: (info: tf.TensorInfo) => tf.TensorInfo,
): [tf.TensorInfo, string] {
  const axes = [...letters].flatMap((c, i) => (needed.includes(c) ? [] : [i]));
  if (axes.length === 0) return [x, letters];
  const summed = keep(runBackendKernel("Sum", backend, { x }, { axis: axes, keepDims: false }));
  return [summed, [...letters].filter((c) => needed.includes(c)).join("")];
}

/** Transposes `x` (axes named by `letters`) into `order`, then reshapes it to the 3-D `shape`. */
function arrange(
  x: tf.TensorInfo,
  letters: string,
  order: string[],
  shape: number[],
  backend: WasmBackend,
  keep: (info: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const perm = order.map((c) => letters.indexOf(c));
  const moved = perm.every((p, i) => p === i) ? x : keep(runBackendKernel("Transpose", backend, { x }, { perm }));
  return keep(runBackendKernel("Reshape", backend, { x: moved }, { shape }));
}

function parseEquation(equation: string, count: number): { inputs: string[]; output: string } {
  const compact = equation.replace(/\s+/g, "");
  const [lhs, rhs] = compact.split("->") as [string, string | undefined];
  const inputs = lhs.split(",");
  if (inputs.length !== count || count < 1 || count > 2) {
    throw new Error(
      `Einsum: equation "${equation}" names ${inputs.length} operands for ${count} tensors (1 or 2 supported)`,
    );
  }
  const all = inputs.join("");
  if (!/^[a-zA-Z]*$/.test(all) || (rhs !== undefined && !/^[a-zA-Z]*$/.test(rhs))) {
    throw new Error(`Einsum: equation "${equation}" may only use letters (no ellipsis)`);
  }
  for (const term of inputs) {
    if (new Set(term).size !== term.length) {
      throw new Error(`Einsum: operand "${term}" of "${equation}" repeats a letter (diagonals are not supported)`);
    }
  }
  // Implicit form: the output is every letter that occurs exactly once, alphabetically.
  const output =
    rhs ??
    [...new Set(all)]
      .filter((c) => all.indexOf(c) === all.lastIndexOf(c))
      .sort()
      .join("");
  for (const c of output) {
    if (!all.includes(c)) throw new Error(`Einsum: output letter "${c}" of "${equation}" is in no operand`);
  }
  if (new Set(output).size !== output.length) throw new Error(`Einsum: output of "${equation}" repeats a letter`);
  return { inputs, output };
}

function dimensionSizes(letters: string[], operands: tf.TensorInfo[], equation: string): Map<string, number> {
  const sizes = new Map<string, number>();
  letters.forEach((term, t) => {
    const shape = (operands[t] as tf.TensorInfo).shape;
    if (shape.length !== term.length) {
      throw new Error(
        `Einsum: operand ${t} of "${equation}" has rank ${shape.length}, the equation gives it ${term.length}`,
      );
    }
    [...term].forEach((c, i) => {
      const known = sizes.get(c);
      if (known !== undefined && known !== shape[i]) {
        throw new Error(`Einsum: letter "${c}" of "${equation}" has sizes ${known} and ${shape[i]}`);
      }
      sizes.set(c, shape[i] as number);
    });
  });
  return sizes;
}

export const einsumConfig: tf.KernelConfig = {
  kernelName: tf.Einsum,
  backendName: "wasm",
  kernelFunc: einsum as unknown as tf.KernelFunc,
};
