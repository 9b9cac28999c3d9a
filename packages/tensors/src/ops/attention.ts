import * as tf from "@tensorflow/tfjs";
import { productsPreferTransposeFlags } from "./backend_traits.js";
import { scaledMaskedSoftmax } from "./softmax.js";

/** The most negative float32: Hugging Face adds it to the scores of masked keys so their softmax weight is 0. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/**
 * 1 for query rows of an additive mask `[B|1, 1, Tq|1, Tk]` that keep at least one key, 0 for rows whose every
 * key is masked (FLOAT32_MIN or below). PyTorch's scaled_dot_product_attention (transformers' default
 * attention since 4.x, torch ≥ 2.5) returns zeros for such rows instead of spreading the weights over masked
 * keys; a decoder mask derived from labels (ids != pad) has one whenever the start token is the pad id.
 */
function attendedRows(mask: tf.Tensor): tf.Tensor {
  return tf.cast(tf.greater(tf.max(mask, -1, true), FLOAT32_MIN), "float32");
}

/**
 * Scaled dot-product attention softmax(q·kᵀ·scale + mask)·v for q `[B, H, Tq, d]`, k and v `[B, H, Tk, d]`,
 * with an optional additive mask that broadcasts to `[B, H, Tq, Tk]`. Query rows with no unmasked key give zeros,
 * as PyTorch's `scaled_dot_product_attention`; `probsDropout` (training only) applies to the attention weights
 * as Hugging Face does.
 *
 * How the products run is this op's business, not the model's: backends whose products take transpose flags
 * and batch dimensions at full speed get one batched product each for q·kᵀ and for the weighted values. On wasm
 * only untransposed 2-D products reach the fast matrix kernel, so there the products run per (batch, head)
 * against an explicitly transposed k.
 */
export function scaledDotProductAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor | undefined,
  scale: number,
  probsDropout?: (probs: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const keep = mask === undefined ? undefined : attendedRows(mask);
    const weigh = (probs: tf.Tensor4D): tf.Tensor4D => {
      const kept = keep === undefined ? probs : (tf.mul(probs, keep) as tf.Tensor4D);
      return probsDropout === undefined ? kept : probsDropout(kept);
    };
    if (productsPreferTransposeFlags()) {
      const probs = weigh(scaledMaskedSoftmax(tf.matMul(q, k, false, true), mask, scale));
      return tf.matMul(probs, v);
    }
    const [batch, heads, queries, headSize] = q.shape;
    const keys = k.shape[2];
    const groups = batch * heads;
    const qs = tf.unstack(tf.reshape(tf.mul(q, scale), [groups, queries, headSize]));
    const kTs = tf.unstack(tf.reshape(tf.transpose(k, [0, 1, 3, 2]), [groups, headSize, keys]));
    let scores: tf.Tensor = tf.reshape(
      tf.stack(qs.map((qi, i) => tf.matMul(qi as tf.Tensor2D, kTs[i] as tf.Tensor2D))),
      [batch, heads, queries, keys],
    );
    if (mask !== undefined) scores = tf.add(scores, mask);
    const probs = weigh(tf.softmax(scores) as tf.Tensor4D);
    const ps = tf.unstack(tf.reshape(probs, [groups, queries, keys]));
    const vs = tf.unstack(tf.reshape(v, [groups, keys, headSize]));
    return tf.reshape(tf.stack(ps.map((pi, i) => tf.matMul(pi as tf.Tensor2D, vs[i] as tf.Tensor2D))), [
      batch,
      heads,
      queries,
      headSize,
    ]) as tf.Tensor4D;
  });
}
