import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type NativeKernel } from "../cpu_backend.js";

/** Softmax over the last axis (the only axis tfjs's Softmax kernel accepts); other calls go to the cpu kernel. */
export const softmax: NativeKernel = ({ inputs, attrs, backend }) => {
  const { logits } = inputs as { logits: TensorInfo };
  const values = float32Values(backend, logits);
  const rank = logits.shape.length;
  const dim = Number(attrs?.dim ?? -1);
  if (values === undefined || rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
  const cols = logits.shape[rank - 1] as number;
  const out = new Float32Array(values.length);
  if (cols > 0) addon().softmax(values, out, cols);
  return backend.makeTensorInfo([...logits.shape], "float32", out);
};
