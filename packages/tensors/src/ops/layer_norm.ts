import * as tf from "@tensorflow/tfjs";

/**
 * Layer normalisation over the last axis, as `torch.nn.LayerNorm`: (x − mean) / sqrt(var + eps) · gamma + beta,
 * with the biased variance.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axis = x.rank - 1;
  if (gamma.size !== x.shape[axis] || beta.size !== x.shape[axis]) {
    throw new Error(`layerNorm: gamma [${gamma.shape}] and beta [${beta.shape}] must have ${x.shape[axis]} elements`);
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, axis, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axis, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}
