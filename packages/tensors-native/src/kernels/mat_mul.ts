import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, sizeOf, type CpuBackend, type KernelArgs, type NativeKernel } from "../cpu_backend.js";
import { NativeBackendError } from "../errors.js";

/** Activation codes of the addon's gemm (native/warmstart_native.c), by tfjs fused-activation name. */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5 };

/** NumPy broadcasting of two batch shapes (as tf.matMul documents for its leading dimensions). */
export function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new NativeBackendError("BAD_SHAPES", `matMul: batch dimensions [${a}] and [${b}] do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each output batch (row-major over `outBatch`), the batch of an operand with leading shape `own`. */
export function batchIndex(own: readonly number[], outBatch: readonly number[]): Int32Array {
  const total = sizeOf(outBatch);
  const index = new Int32Array(total);
  const offset = outBatch.length - own.length;
  for (let i = 0; i < total; i++) {
    let rem = i;
    let flat = 0;
    let stride = 1;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      const coord = rem % (outBatch[d] as number);
      rem = Math.floor(rem / (outBatch[d] as number));
      if (d >= offset) {
        const size = own[d - offset] as number;
        if (size !== 1) flat += coord * stride;
        stride *= size;
      }
    }
    index[i] = flat;
  }
  return index;
}

interface Product {
  out: Float32Array;
  shape: number[];
}

/** op(a)·op(b) [+ bias over the last axis] [→ activation], or undefined when the call is not float32. */
function product(
  backend: CpuBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: Float32Array | null,
  activation: number,
  alpha: number,
): Product | undefined {
  const av = float32Values(backend, a);
  const bv = float32Values(backend, b);
  if (av === undefined || bv === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? (a.shape[ra - 1] as number) : (a.shape[ra - 2] as number);
  const ka = transposeA ? (a.shape[ra - 2] as number) : (a.shape[ra - 1] as number);
  const kb = transposeB ? (b.shape[rb - 1] as number) : (b.shape[rb - 2] as number);
  const n = transposeB ? (b.shape[rb - 2] as number) : (b.shape[rb - 1] as number);
  if (ka !== kb) {
    throw new NativeBackendError(
      "BAD_SHAPES",
      `matMul: inner dimensions differ: a [${a.shape}] (transposeA ${transposeA}), b [${b.shape}] (transposeB ${transposeB})`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outBatch = broadcastBatch(outerA, outerB);
  const out = new Float32Array(sizeOf(outBatch) * m * n);
  addon().gemm(
    av,
    bv,
    out,
    m,
    n,
    ka,
    transposeA,
    transposeB,
    batchIndex(outerA, outBatch),
    batchIndex(outerB, outBatch),
    bias,
    activation,
    alpha,
  );
  return { out, shape: [...outBatch, m, n] };
}

/** BatchMatMul (what tf.matMul runs), any rank ≥ 2, transposes and broadcast batch dimensions. */
export const batchMatMul: NativeKernel = ({ inputs, attrs, backend }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const result = product(backend, a, b, attrs?.transposeA === true, attrs?.transposeB === true, null, 0, 0);
  return result === undefined ? undefined : backend.makeTensorInfo(result.shape, "float32", result.out);
};

/**
 * _FusedMatMul (tf.fused.matMul): the bias is folded into the product when it broadcasts along the last axis
 * only (the dense-layer case) and the activation is one the addon knows; prelu and other bias shapes decline
 * to the cpu kernel.
 */
export const fusedMatMul: NativeKernel = ({ inputs, attrs, backend }: KernelArgs) => {
  const { a, b, bias, preluActivationWeights } = inputs as {
    a: TensorInfo;
    b: TensorInfo;
    bias?: TensorInfo;
    preluActivationWeights?: TensorInfo;
  };
  const name = (attrs?.activation as string | undefined) ?? "linear";
  const activation = ACTIVATIONS[name];
  if (activation === undefined || preluActivationWeights !== undefined) return undefined;
  let biasValues: Float32Array | null = null;
  if (bias !== undefined) {
    const values = float32Values(backend, bias);
    const ra = a.shape.length;
    const n = attrs?.transposeB === true ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const lastOnly =
      bias.shape.length <= Math.max(ra, b.shape.length) &&
      bias.shape.every((d, i) => (i === bias.shape.length - 1 ? d === n : d === 1));
    if (values === undefined || !lastOnly) return undefined;
    biasValues = values;
  }
  const result = product(
    backend,
    a,
    b,
    attrs?.transposeA === true,
    attrs?.transposeB === true,
    biasValues,
    activation,
    Number(attrs?.leakyreluAlpha ?? 0.2),
  );
  if (result === undefined) return undefined;
  // A bias of higher rank than the product (all ones but the last) still widens the output's rank.
  const shape =
    bias !== undefined && bias.shape.length > result.shape.length
      ? [...Array<number>(bias.shape.length - result.shape.length).fill(1), ...result.shape]
      : result.shape;
  return backend.makeTensorInfo(shape, "float32", result.out);
};
