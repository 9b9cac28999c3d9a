import { linear, tf } from "@warmstart/tensors";

// Below this many rows (decoding steps, beams) the output product is tiny next to transposing the vocabulary
// table, which `linear`'s [out, in] path does on every call.
const FEW_ROWS = 64;

/**
 * Logits `[rows, vocab]` = hidden · tableᵀ (+ bias) for an output layer tied to the `[vocab, hidden]` embedding
 * table. For a few rows it computes (table · hiddenᵀ)ᵀ instead: an untransposed 2-D product (the wasm fast
 * path) that transposes only the small operands. Larger batches go through `linear`, whose gradients are fast.
 */
export function tiedOutput(hidden: tf.Tensor2D, table: tf.Tensor, bias: tf.Tensor | null): tf.Tensor2D {
  if (hidden.shape[0] > FEW_ROWS) return linear(hidden, table, bias, "out_in") as tf.Tensor2D;
  return tf.tidy(() => {
    const logits = tf.transpose(tf.matMul(table as tf.Tensor2D, tf.transpose(hidden)));
    return (bias === null ? logits : tf.add(logits, bias)) as tf.Tensor2D;
  });
}
