import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type NativeKernel } from "../cpu_backend.js";

/** Custom kernel names the native backend adds; @warmstart/tensors' ops dispatch to them where registered. */
export const LAYER_NORM = "WarmstartLayerNorm";
export const LAYER_NORM_GRAD = "WarmstartLayerNormGrad";

/**
 * LayerNorm over the last axis: inputs x [..., n], gamma and beta [n]; attrs { eps }. Outputs y (x's shape) and,
 * for the backward kernel, the per-row mean and 1/sqrt(var + eps) ([rows]).
 */
export const layerNorm: NativeKernel = ({ inputs, attrs, backend }) => {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const xv = float32Values(backend, x);
  const gv = float32Values(backend, gamma);
  const bv = float32Values(backend, beta);
  if (xv === undefined || gv === undefined || bv === undefined || x.shape.length === 0) return undefined;
  const cols = x.shape[x.shape.length - 1] as number;
  const rows = cols === 0 ? 0 : xv.length / cols;
  const out = new Float32Array(xv.length);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  if (rows > 0) addon().layerNorm(xv, gv, bv, out, mean, rstd, cols, Number(attrs?.eps));
  return [
    backend.makeTensorInfo([...x.shape], "float32", out),
    backend.makeTensorInfo([rows], "float32", mean),
    backend.makeTensorInfo([rows], "float32", rstd),
  ];
};

/** Inputs dy, x, gamma, mean, rstd (as layerNorm returned them); outputs dx, dgamma, dbeta. */
export const layerNormGrad: NativeKernel = ({ inputs, backend }) => {
  const { dy, x, gamma, mean, rstd } = inputs as Record<"dy" | "x" | "gamma" | "mean" | "rstd", TensorInfo>;
  const values = [dy, x, gamma, mean, rstd].map((t) => float32Values(backend, t));
  if (values.some((v) => v === undefined) || x.shape.length === 0) return undefined;
  const [dyv, xv, gv, mv, rv] = values as Float32Array[];
  const cols = x.shape[x.shape.length - 1] as number;
  const dx = new Float32Array((xv as Float32Array).length);
  const dgamma = new Float32Array(cols);
  const dbeta = new Float32Array(cols);
  if (dx.length > 0) {
    addon().layerNormGrad(
      dyv as Float32Array,
      xv as Float32Array,
      gv as Float32Array,
      mv as Float32Array,
      rv as Float32Array,
      dx,
      dgamma,
      dbeta,
      cols,
    );
  }
  return [
    backend.makeTensorInfo([...x.shape], "float32", dx),
    backend.makeTensorInfo([...gamma.shape], "float32", dgamma),
    backend.makeTensorInfo([...gamma.shape], "float32", dbeta),
  ];
};
