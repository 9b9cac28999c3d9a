import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type NativeKernel } from "../cpu_backend.js";

const MAX_RANK = 8;

/** Transpose of float32 tensors up to rank 8, split over the native threads. */
export const transpose: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const perm = attrs?.perm as number[] | undefined;
  const values = float32Values(backend, x);
  const rank = x.shape.length;
  if (values === undefined || perm === undefined || perm.length !== rank || rank === 0 || rank > MAX_RANK) {
    return undefined;
  }
  const shape = perm.map((p) => x.shape[p] as number);
  const out = new Float32Array(values.length);
  if (values.length > 0) addon().transpose(values, out, Int32Array.from(x.shape), Int32Array.from(perm));
  return backend.makeTensorInfo(shape, "float32", out);
};
