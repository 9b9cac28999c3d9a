// The head layout attention works in; the attention product itself is `scaledDotProductAttention` of
// @warmstart/tensors, which picks the fastest products for the active backend.
import { scaledDotProductAttention, tf } from "@warmstart/tensors";

/** The encoder side of a cross-attention: `[B*S, hidden]` states, their length and additive padding mask. */
export interface CrossAttentionInput {
  /** Encoder states; may be omitted when every layer's cache already holds the cross keys/values. */
  states?: tf.Tensor2D;
  length: number;
  mask?: tf.Tensor;
  /**
   * Decoder rows per encoder row (see `sharedKeyAttention`): the decoder batch is `rowsPerState` times the
   * encoder's, row `i` attending encoder row `floor(i / rowsPerState)` — the beams or samples of one input.
   */
  rowsPerState: number;
}

/**
 * Attention of decoder rows that share key/value rows: q `[B·R, H, T, d]`, where the R consecutive rows of each
 * group (an input's beams or samples) attend the same keys and values, k and v `[B, H, S, d]`, mask broadcasting to
 * `[B, 1, 1, S]`. The same as attending each row to its own copy of its group's keys — what transformers computes
 * after repeating the encoder output per beam — without the copies: the R·T queries of a group run as one product
 * against keys read once, and the keys are projected from B encoder rows instead of B·R.
 */
export function sharedKeyAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor | undefined,
  scale: number,
  rowsPerKeyRow: number,
  probsDropout?: (probs: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  if (rowsPerKeyRow === 1) return scaledDotProductAttention(q, k, v, mask, scale, probsDropout);
  return tf.tidy(() => {
    const [rows, heads, length, headSize] = q.shape;
    const groups = rows / rowsPerKeyRow;
    const grouped = tf.reshape(
      tf.transpose(tf.reshape(q, [groups, rowsPerKeyRow, heads, length, headSize]), [0, 2, 1, 3, 4]),
      [groups, heads, rowsPerKeyRow * length, headSize],
    ) as tf.Tensor4D;
    const context = scaledDotProductAttention(grouped, k, v, mask, scale, probsDropout);
    return tf.reshape(
      tf.transpose(tf.reshape(context, [groups, heads, rowsPerKeyRow, length, headSize]), [0, 2, 1, 3, 4]),
      [rows, heads, length, headSize],
    ) as tf.Tensor4D;
  });
}

/** `[B*T, H*d]` → `[B, H, T, d]`. */
export function splitHeads(x: tf.Tensor, batch: number, length: number, heads: number): tf.Tensor4D {
  const headSize = (x.shape[x.rank - 1] as number) / heads;
  return tf.transpose(tf.reshape(x, [batch, length, heads, headSize]), [0, 2, 1, 3]);
}

/** `[B, H, T, d]` → `[B*T, H*d]`. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [batch, heads, length, headSize] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch * length, heads * headSize]);
}
