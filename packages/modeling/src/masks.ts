import { FLOAT32_MIN, tf } from "@warmstart/tensors";

/** Additive padding mask `[B, 1, 1, Tk]` from a 0/1 float mask `[B, Tk]`: 0 for kept keys, FLOAT32_MIN for padding. */
export function paddingMask(mask: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [batch, 1, 1, length]);
}

/** 0/1 causal matrix `[Tq, Tk]`: query i (at absolute position Tk - Tq + i) sees keys up to its own position. */
function causalOnes(queries: number, keys: number): tf.Tensor2D {
  const past = keys - queries;
  const data = new Float32Array(queries * keys);
  for (let i = 0; i < queries; i++) data.fill(1, i * keys, i * keys + past + i + 1);
  return tf.tensor2d(data, [queries, keys]);
}

/**
 * Causal and padding mask combined before scaling (the BERT/RoBERTa decoder mask) `[B, 1, Tq, Tk]`: (1 − causal·padding)·FLOAT32_MIN, as Hugging Face's
 * `get_extended_attention_mask` builds it for `is_decoder` (one FLOAT32_MIN per masked key).
 */
export function causalPaddingMask(batch: number, queries: number, keys: number, mask?: tf.Tensor2D): tf.Tensor4D {
  const causal = tf.reshape(causalOnes(queries, keys), [1, 1, queries, keys]);
  const allowed = mask === undefined ? causal : tf.mul(causal, tf.reshape(mask, [batch, 1, 1, keys]));
  return tf.mul(tf.sub(1, allowed), FLOAT32_MIN) as tf.Tensor4D;
}

/**
 * Causal mask `[B|1, 1, Tq, Tk]` with the padding mask added on top: future keys get FLOAT32_MIN, then
 * {@link paddingMask} is added, as attention that replaces future scores by the minimum and adds the padding
 * mask afterwards computes it (Hugging Face's GPT-2). A key that is both future and padding gets
 * 2·FLOAT32_MIN (= -Infinity in float32), unlike {@link causalPaddingMask}'s one FLOAT32_MIN per masked key.
 */
export function causalMask(batch: number, queries: number, keys: number, mask?: tf.Tensor2D): tf.Tensor4D {
  const future = tf.reshape(tf.mul(tf.sub(1, causalOnes(queries, keys)), FLOAT32_MIN), [1, 1, queries, keys]);
  return (mask === undefined ? future : tf.add(future, paddingMask(mask))) as tf.Tensor4D;
}
