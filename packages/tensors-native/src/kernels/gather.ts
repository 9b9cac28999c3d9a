import type { TensorInfo } from "@tensorflow/tfjs";
import { float32Values, sizeOf, type NativeKernel } from "../cpu_backend.js";

/**
 * GatherV2 of float32 rows (embedding lookups, picking target logits) as block copies: the cpu kernel computes
 * a multi-index per element in JS. batchDims > 0, other dtypes and out-of-range indices go to the cpu kernel
 * (which reports the bad index).
 */
export const gatherV2: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const values = float32Values(backend, x);
  const ids = backend.data.get(indices.dataId).values;
  const rank = x.shape.length;
  const rawAxis = Number(attrs?.axis ?? 0);
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (values === undefined || !(ids instanceof Int32Array) || Number(attrs?.batchDims ?? 0) !== 0) return undefined;
  if (!(axis >= 0 && axis < rank)) return undefined;
  const outer = sizeOf(x.shape.slice(0, axis));
  const size = x.shape[axis] as number;
  const inner = sizeOf(x.shape.slice(axis + 1));
  for (const id of ids) if (id < 0 || id >= size) return undefined;
  const out = new Float32Array(outer * ids.length * inner);
  for (let o = 0; o < outer; o++) {
    const from = o * size * inner;
    const to = o * ids.length * inner;
    if (inner === 1) {
      for (let k = 0; k < ids.length; k++) out[to + k] = values[from + (ids[k] as number)] as number;
    } else {
      for (let k = 0; k < ids.length; k++) {
        const start = from + (ids[k] as number) * inner;
        out.set(values.subarray(start, start + inner), to + k * inner);
      }
    }
  }
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  return backend.makeTensorInfo(shape, "float32", out);
};
