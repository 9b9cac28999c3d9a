import type { TensorInfo } from "@tensorflow/tfjs";
import { float32Values, sizeOf, type KernelArgs, type NativeKernel } from "../cpu_backend.js";

/**
 * Copies the box `size` at `from` of a row-major `source` (shape `sourceShape`) to `to` in `target` (shape
 * `targetShape`), one contiguous innermost run at a time. The cpu backend's Slice, SplitV and PadV2 compute a
 * multi-index per element in JS instead: slicing GPT-2's [batch, length, vocab] logits for the causal-LM shift took
 * seconds per step.
 */
function copyBox(
  source: Float32Array,
  sourceShape: readonly number[],
  from: readonly number[],
  size: readonly number[],
  target: Float32Array,
  targetShape: readonly number[],
  to: readonly number[],
): void {
  const rank = size.length;
  if (rank === 0) {
    target[0] = source[0] as number;
    return;
  }
  if (size.some((d) => d === 0)) return;
  const strides = (shape: readonly number[]) => {
    const out = new Array<number>(rank).fill(1);
    for (let i = rank - 2; i >= 0; i--) out[i] = (out[i + 1] as number) * (shape[i + 1] as number);
    return out;
  };
  const sourceStrides = strides(sourceShape);
  const targetStrides = strides(targetShape);
  const run = size[rank - 1] as number;
  const index = new Array<number>(rank - 1).fill(0);
  for (;;) {
    let s = from[rank - 1] as number;
    let t = to[rank - 1] as number;
    for (let i = 0; i < rank - 1; i++) {
      s += ((from[i] as number) + (index[i] as number)) * (sourceStrides[i] as number);
      t += ((to[i] as number) + (index[i] as number)) * (targetStrides[i] as number);
    }
    target.set(source.subarray(s, s + run), t);
    let axis = rank - 2;
    while (axis >= 0) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (size[axis] as number)) break;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}

function sliceOf(args: KernelArgs, x: TensorInfo, values: Float32Array, begin: number[], size: number[]): TensorInfo {
  const out = new Float32Array(sizeOf(size));
  copyBox(
    values,
    x.shape,
    begin,
    size,
    out,
    size,
    size.map(() => 0),
  );
  return args.backend.makeTensorInfo(size, "float32", out);
}

/** Slice of a float32 tensor (a size of -1 runs to the end of its axis, as in tf.slice). */
export const slice: NativeKernel = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const values = float32Values(args.backend, x);
  const rawBegin = args.attrs?.begin;
  const rawSize = args.attrs?.size;
  if (values === undefined || !Array.isArray(rawBegin) || !Array.isArray(rawSize)) return undefined;
  if (rawBegin.length !== x.shape.length || rawSize.length !== x.shape.length) return undefined;
  const begin = rawBegin.map(Number);
  const size = rawSize.map((d, i) => (Number(d) === -1 ? (x.shape[i] as number) - (begin[i] as number) : Number(d)));
  if (size.some((d, i) => d < 0 || (begin[i] as number) < 0 || (begin[i] as number) + d > (x.shape[i] as number))) {
    return undefined;
  }
  return sliceOf(args, x, values, begin, size);
};

/** SplitV of a float32 tensor into pieces along one axis (explicit sizes, one of them possibly -1, or a count). */
export const splitV: NativeKernel = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const values = float32Values(args.backend, x);
  const rank = x.shape.length;
  const rawAxis = Number(args.attrs?.axis ?? 0);
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (values === undefined || !(axis >= 0 && axis < rank)) return undefined;
  const length = x.shape[axis] as number;
  const requested = args.attrs?.numOrSizeSplits;
  let sizes: number[];
  if (typeof requested === "number") {
    if (requested <= 0 || length % requested !== 0) return undefined;
    sizes = new Array<number>(requested).fill(length / requested);
  } else if (Array.isArray(requested)) {
    sizes = requested.map(Number);
    const unknown = sizes.indexOf(-1);
    if (unknown !== -1) sizes[unknown] = length - sizes.reduce((sum, d, i) => (i === unknown ? sum : sum + d), 0);
  } else {
    return undefined;
  }
  if (sizes.some((d) => d < 0) || sizes.reduce((a, b) => a + b, 0) !== length) return undefined;
  let offset = 0;
  return sizes.map((d) => {
    const begin = x.shape.map((_, i) => (i === axis ? offset : 0));
    const size = x.shape.map((n, i) => (i === axis ? d : n));
    offset += d;
    return sliceOf(args, x, values, begin, size);
  });
};

/** PadV2 of a float32 tensor with a constant (the gradient of Slice). */
export const padV2: NativeKernel = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const values = float32Values(args.backend, x);
  const paddings = args.attrs?.paddings;
  if (values === undefined || !Array.isArray(paddings) || paddings.length !== x.shape.length) return undefined;
  const pairs = paddings as unknown as [number, number][];
  const before = pairs.map(([b]) => Number(b));
  const after = pairs.map(([, a]) => Number(a));
  if ([...before, ...after].some((p) => !(p >= 0))) return undefined;
  const shape = x.shape.map((n, i) => (before[i] as number) + n + (after[i] as number));
  const out = new Float32Array(sizeOf(shape));
  const fill = Number(args.attrs?.constantValue ?? 0);
  if (fill !== 0) out.fill(fill);
  copyBox(
    values,
    x.shape,
    x.shape.map(() => 0),
    x.shape,
    out,
    shape,
    before,
  );
  return args.backend.makeTensorInfo(shape, "float32", out);
};
