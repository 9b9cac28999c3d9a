import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type NativeKernel } from "../cpu_backend.js";

/** Custom kernel names for the exact (erf) GELU and its gradient; @warmstart/tensors' gelu dispatches to them. */
export const GELU = "WarmstartGelu";
export const GELU_GRAD = "WarmstartGeluGrad";

/** x·Φ(x) elementwise; input x. */
export const gelu: NativeKernel = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = float32Values(backend, x);
  if (xv === undefined) return undefined;
  const out = new Float32Array(xv.length);
  if (out.length > 0) addon().gelu(xv, out);
  return backend.makeTensorInfo([...x.shape], "float32", out);
};

/** dy·(Φ(x) + x·φ(x)); inputs x and dy of one shape. */
export const geluGrad: NativeKernel = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const xv = float32Values(backend, x);
  const dyv = float32Values(backend, dy);
  if (xv === undefined || dyv === undefined || xv.length !== dyv.length) return undefined;
  const out = new Float32Array(xv.length);
  if (out.length > 0) addon().geluGrad(xv, dyv, out);
  return backend.makeTensorInfo([...x.shape], "float32", out);
};
