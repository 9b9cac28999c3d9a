import * as tf from "@tensorflow/tfjs";
import { hasNativeKernel, nativeKernelName } from "../native.js";

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (Hugging Face "gelu"). tfjs has `erf` with a gradient on every
 * backend, but autodiff through the composition keeps five intermediates; the closed-form derivative
 * Φ(x) + x·φ(x) needs only x.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" && hasNativeKernel("gelu") ? fusedGelu(x) : composedGelu(x);
}

const composedGelu = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.tidy(() => tf.mul(input, tf.mul(0.5, tf.add(1, tf.erf(tf.mul(input, SQRT_HALF)))))),
    gradFunc: (dy, saved) =>
      tf.tidy(() => {
        const [xs] = saved as [tf.Tensor];
        const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xs, SQRT_HALF))));
        const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
        return tf.mul(dy as tf.Tensor, tf.add(cdf, tf.mul(xs, pdf)));
      }),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** The native backend's one-pass kernels for the same value and derivative. */
const fusedGelu = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  (save as tf.GradSaveFunc)([input]);
  return {
    value: tf.engine().runKernel(nativeKernelName("gelu"), { x: input }) as tf.Tensor,
    gradFunc: (dy, saved) =>
      tf
        .engine()
        .runKernel(nativeKernelName("geluGrad"), { x: (saved as [tf.Tensor])[0], dy: dy as tf.Tensor }) as tf.Tensor,
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** GPT-2's tanh approximation ("gelu_new"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // x·x·x rather than pow(x, 3): the cpu backend's Pow (and its gradient) broadcasts the exponent per element in JS.
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(tf.mul(x, x), x))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}
