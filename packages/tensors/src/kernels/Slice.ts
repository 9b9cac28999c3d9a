import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.js";

let builtin: tf.KernelFunc | undefined;

/**
 * Copies the box [begin, begin + size) of `x` into a new tensor, reading the operand in place on the wasm
 * heap. tfjs-backend-wasm's Slice first copies the *whole* input out of the heap (readSync), so splitting a
 * tensor into G pieces (unstack, split, per-head attention) cost G full copies; this costs one copy of
 * each piece. String tensors keep the built-in path.
 */
export function sliceOnHeap(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views are taken after makeOutput, which may grow (and so detach) the heap.
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // The trailing axes that the box spans completely form one contiguous run per outer index.
  let inner = rank;
  while (inner > 0 && begin[inner - 1] === 0 && size[inner - 1] === x.shape[inner - 1]) inner--;
  const runAxis = inner === 0 ? 0 : inner - 1;
  const run = rank === 0 ? 1 : tf.util.sizeFromShape(size.slice(runAxis));
  const total = target.length;
  if (total === 0) return out;
  const index = begin.slice(0, runAxis);
  const stride = (axis: number): number => (axis < strides.length ? (strides[axis] as number) : 1);
  for (let written = 0; written < total; written += run) {
    let from = runAxis < rank ? (begin[runAxis] as number) * stride(runAxis) : 0;
    for (let axis = 0; axis < runAxis; axis++) from += (index[axis] as number) * stride(axis);
    target.set(source.subarray(from, from + run), written);
    // Odometer over the outer axes of the box.
    for (let axis = runAxis - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (begin[axis] as number) + (size[axis] as number)) break;
      index[axis] = begin[axis] as number;
    }
  }
  return out;
}

function slice(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === "string") {
    return (builtin as tf.KernelFunc)(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
  // parseSliceParams always returns the [begin, size] pair.
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
  return sliceOnHeap(args.backend as WasmBackend, x, begin_, size_);
}

/** Installs the kernel over the built-in one, kept for string tensors. */
export function sliceConfig(existing: tf.KernelConfig): tf.KernelConfig {
  builtin = existing.kernelFunc;
  return { kernelName: tf.Slice, backendName: "wasm", kernelFunc: slice as unknown as tf.KernelFunc };
}
