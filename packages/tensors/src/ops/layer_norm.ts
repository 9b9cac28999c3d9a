import * as tf from "@tensorflow/tfjs";
import { hasNativeKernel, nativeKernelName } from "../native.js";

/**
 * Layer normalisation over the last axis, as `torch.nn.LayerNorm`: (x − mean) / sqrt(var + eps) · gamma + beta,
 * with the biased variance. Where the backend has the fused kernel (native) it is one pass forward and one
 * backward; elsewhere it is composed from tfjs ops and differentiated by autodiff.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axis = x.rank - 1;
  if (gamma.size !== x.shape[axis] || beta.size !== x.shape[axis]) {
    throw new Error(`layerNorm: gamma [${gamma.shape}] and beta [${beta.shape}] must have ${x.shape[axis]} elements`);
  }
  if (x.dtype === "float32" && hasNativeKernel("layerNorm")) {
    return fusedLayerNorm(x, gamma, beta, eps);
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, axis, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axis, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const op = tf.customGrad((xs, g, b, save) => {
    const [y, mean, rstd] = tf
      .engine()
      .runKernel(
        nativeKernelName("layerNorm"),
        { x: xs as tf.Tensor, gamma: g as tf.Tensor, beta: b as tf.Tensor },
        { eps },
      ) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
    (save as tf.GradSaveFunc)([xs as tf.Tensor, g as tf.Tensor, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sg, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(nativeKernelName("layerNormGrad"), {
          dy: dy as tf.Tensor,
          x: sx,
          gamma: sg,
          mean: sm,
          rstd: sr,
        }) as unknown as tf.Tensor[];
      },
    };
  });
  return op(x, gamma, beta);
}
