import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.js";

/**
 * `UnsortedSegmentSum` for wasm: out[s, ...] = sum of x[i, ...] over every i with segmentIds[i] = s. It is
 * the gradient of `gather`, so every embedding needs it. `segmentIds` covers a leading prefix of x's shape;
 * ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const segmentIds = args.inputs.segmentIds as tf.TensorInfo;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const idShape = segmentIds.shape;
  if (idShape.length > x.shape.length || idShape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${idShape}] must be a prefix of x shape [${x.shape}]`);
  }
  const rows = tf.util.sizeFromShape(idShape);
  const rowShape = x.shape.slice(idShape.length);
  const inner = tf.util.sizeFromShape(rowShape);
  const ids = backend.readSync(segmentIds.dataId) as tf.TypedArray;
  const values = backend.readSync(x.dataId) as tf.TypedArray;
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  // makeOutput returns unzeroed heap memory; readSync returned copies, so growing the heap cannot detach them.
  const sums = backend.typedArrayFromHeap(out);
  sums.fill(0);
  for (let r = 0; r < rows; r++) {
    const segment = ids[r] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const from = r * inner;
    const to = segment * inner;
    for (let k = 0; k < inner; k++) sums[to + k] = (sums[to + k] as number) + (values[from + k] as number);
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
