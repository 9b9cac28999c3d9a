import type { TensorInfo } from "@tensorflow/tfjs";
import { float32Values, sizeOf, type NativeKernel } from "../cpu_backend.js";

/**
 * UnsortedSegmentSum (the gradient of `gather`, so of every embedding) as one scatter-add pass. The cpu kernel it
 * replaces builds a mask, a product and a sum per segment — O(segments x size) with five tensors each — which
 * for a vocabulary of thousands makes one embedding gradient take minutes.
 */
export const unsortedSegmentSum: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const values = float32Values(backend, x);
  const ids = backend.data.get(segmentIds.dataId).values;
  const idShape = segmentIds.shape;
  if (
    values === undefined ||
    !(ids instanceof Int32Array) ||
    idShape.length > x.shape.length ||
    idShape.some((d, i) => d !== x.shape[i])
  ) {
    return undefined;
  }
  const numSegments = Number(attrs?.numSegments);
  const rowShape = x.shape.slice(idShape.length);
  const inner = sizeOf(rowShape);
  const sums = new Float32Array(numSegments * inner);
  for (let r = 0; r < ids.length; r++) {
    const segment = ids[r] as number;
    // Ids outside [0, numSegments) are dropped, as in TensorFlow.
    if (segment < 0 || segment >= numSegments) continue;
    const from = r * inner;
    const to = segment * inner;
    for (let k = 0; k < inner; k++) sums[to + k]! += values[from + k]!;
  }
  return backend.makeTensorInfo([numSegments, ...rowShape], "float32", sums);
};
