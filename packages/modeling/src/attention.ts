// The head layout attention works in; the attention product itself is `scaledDotProductAttention` of
// @warmstart/tensors, which picks the fastest products for the active backend.
import { tf } from "@warmstart/tensors";

/** The encoder side of a cross-attention: `[B*S, hidden]` states, their length and additive padding mask. */
export interface CrossAttentionInput {
  /** Encoder states; may be omitted when every layer's cache already holds the cross keys/values. */
  states?: tf.Tensor2D;
  length: number;
  mask?: tf.Tensor;
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
