import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type CpuBackend, type NativeKernel } from "../cpu_backend.js";
import { NativeBackendError } from "../errors.js";

/** Custom kernel names of the fused softmax cross-entropy; @warmstart/tensors' softmaxCrossEntropy dispatches here. */
export const SOFTMAX_CROSS_ENTROPY = "WarmstartSoftmaxCrossEntropy";
export const SOFTMAX_CROSS_ENTROPY_GRAD = "WarmstartSoftmaxCrossEntropyGrad";

interface Inputs {
  logits: Float32Array;
  targets: Int32Array;
  weights: Float32Array;
  rows: number;
  cols: number;
}

function read(backend: CpuBackend, logits: TensorInfo, targets: TensorInfo, weights: TensorInfo): Inputs {
  const x = float32Values(backend, logits);
  const t = backend.data.get(targets.dataId).values;
  const w = float32Values(backend, weights);
  const [rows, cols] = logits.shape as [number, number];
  if (x === undefined || w === undefined || !(t instanceof Int32Array) || logits.shape.length !== 2) {
    throw new NativeBackendError(
      "BAD_INPUT",
      `${SOFTMAX_CROSS_ENTROPY}: expects float32 logits [rows, cols], int32 targets [rows] and float32 weights [rows]; got ${logits.dtype} [${logits.shape}], ${targets.dtype} [${targets.shape}], ${weights.dtype} [${weights.shape}]`,
    );
  }
  return { logits: x, targets: t, weights: w, rows, cols };
}

/**
 * Inputs logits [rows, cols], targets [rows] (int32, each in [0, cols)), weights [rows]; outputs the loss
 * Σ weight·(logsumexp(row) − row[target]) as a scalar and each row's logsumexp [rows] for the gradient.
 */
export const softmaxCrossEntropy: NativeKernel = ({ inputs, backend }) => {
  const { logits, targets, weights } = inputs as Record<"logits" | "targets" | "weights", TensorInfo>;
  const v = read(backend, logits, targets, weights);
  const lse = new Float32Array(v.rows);
  const perRow = new Float32Array(v.rows);
  if (v.rows > 0 && v.cols > 0) addon().softmaxCrossEntropy(v.logits, v.targets, v.weights, lse, perRow, v.cols);
  // Summed in double: thousands of rows of similar size.
  let total = 0;
  for (const x of perRow) total += x;
  return [
    backend.makeTensorInfo([], "float32", new Float32Array([total])),
    backend.makeTensorInfo([v.rows], "float32", lse),
  ];
};

/** Inputs dy (scalar), logits, targets, weights and lse as the forward kernel had them; output d loss / d logits. */
export const softmaxCrossEntropyGrad: NativeKernel = ({ inputs, backend }) => {
  const { dy, logits, targets, weights, lse } = inputs as Record<
    "dy" | "logits" | "targets" | "weights" | "lse",
    TensorInfo
  >;
  const v = read(backend, logits, targets, weights);
  const dyv = float32Values(backend, dy);
  const lsev = float32Values(backend, lse);
  if (dyv === undefined || dyv.length !== 1 || lsev === undefined) {
    throw new NativeBackendError(
      "BAD_INPUT",
      `${SOFTMAX_CROSS_ENTROPY_GRAD}: expects a float32 scalar dy and float32 lse [rows]`,
    );
  }
  const out = new Float32Array(v.logits.length);
  if (v.rows > 0 && v.cols > 0) {
    addon().softmaxCrossEntropyGrad(v.logits, v.targets, v.weights, lsev, out, v.cols, dyv[0] as number);
  }
  return backend.makeTensorInfo([...logits.shape], "float32", out);
};
