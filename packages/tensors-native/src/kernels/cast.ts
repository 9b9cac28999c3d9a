import type { TensorInfo } from "@tensorflow/tfjs";
import type { NativeKernel } from "../cpu_backend.js";

/**
 * Cast of int32 or bool to float32 as a real Float32Array. The cpu kernel keeps the Int32Array under the new
 * dtype (a cast to a wider type loses nothing), and every native kernel declines such values, so an attention
 * mask cast from token ids sent each layer's mask product back to the cpu backend's JS broadcasting loop
 * (20-70 ms for a [32, 1, 48, 48] product on tiny-model training).
 */
export const cast: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  if (attrs?.dtype !== "float32" || (x.dtype !== "int32" && x.dtype !== "bool")) return undefined;
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Int32Array || values instanceof Uint8Array)) return undefined;
  return backend.makeTensorInfo([...x.shape], "float32", Float32Array.from(values));
};
