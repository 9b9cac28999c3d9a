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

/** Custom kernel names for attention's softmax(scale·x + mask) and its gradient. */
export const MASKED_SOFTMAX = "WarmstartMaskedSoftmax";
export const MASKED_SOFTMAX_GRAD = "WarmstartMaskedSoftmaxGrad";

/**
 * softmax(scale·x + mask) over the last axis of x [B, H, Tq, Tk]; the optional additive mask is rank 4 and
 * broadcasts to x (each of its first three dimensions 1 or x's, the last Tk). attrs { scale }. Other shapes
 * decline.
 */
export const maskedSoftmax: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x, mask } = inputs as { x: TensorInfo; mask?: TensorInfo };
  const values = float32Values(backend, x);
  if (values === undefined || x.shape.length !== 4) return undefined;
  const [b, h, q, k] = x.shape as [number, number, number, number];
  let maskValues: Float32Array | null = null;
  const strides = [0, 0, 0];
  if (mask !== undefined) {
    const m = float32Values(backend, mask);
    const [mb, mh, mq, mk] = mask.shape as [number, number, number, number];
    const fits = [mb === 1 || mb === b, mh === 1 || mh === h, mq === 1 || mq === q, mk === k];
    if (m === undefined || mask.shape.length !== 4 || fits.includes(false)) return undefined;
    maskValues = m;
    strides[0] = mb === 1 ? 0 : mh * mq;
    strides[1] = mh === 1 ? 0 : mq;
    strides[2] = mq === 1 ? 0 : 1;
  }
  const out = new Float32Array(values.length);
  if (out.length > 0) {
    addon().maskedSoftmax(
      values,
      maskValues,
      out,
      k,
      Int32Array.from([b, h, q]),
      Int32Array.from(strides),
      Number(attrs?.scale ?? 1),
    );
  }
  return backend.makeTensorInfo([...x.shape], "float32", out);
};

/** Inputs y (maskedSoftmax's output) and dy; output d/dx = scale·y·(dy − Σ dy·y). attrs { scale }. */
export const maskedSoftmaxGrad: NativeKernel = ({ inputs, attrs, backend }) => {
  const { y, dy } = inputs as { y: TensorInfo; dy: TensorInfo };
  const yv = float32Values(backend, y);
  const dyv = float32Values(backend, dy);
  if (yv === undefined || dyv === undefined || yv.length !== dyv.length || y.shape.length === 0) return undefined;
  const out = new Float32Array(yv.length);
  if (out.length > 0) {
    addon().softmaxGrad(yv, dyv, out, y.shape[y.shape.length - 1] as number, Number(attrs?.scale ?? 1));
  }
  return backend.makeTensorInfo([...y.shape], "float32", out);
};
