import { linear, productsPreferTransposeFlags, tf } from "@warmstart/tensors";

// Below this many rows (decoding steps, beams) the output product is tiny next to transposing the vocabulary
// table, which `linear`'s [out, in] path does on every call on wasm.
const FEW_ROWS = 64;

/**
 * Logits `[rows, vocab]` = hidden · tableᵀ (+ bias) for an output layer tied to the `[vocab, hidden]` embedding
 * table. For a few rows it computes (table · hiddenᵀ)ᵀ instead: an untransposed 2-D product (the wasm fast
 * path on wasm) that transposes only the small operands. Larger batches, and backends whose products take transpose
 * flags (native: a few rows against the [out, in] table is the addon's few-row product, which reads the table
 * once; the swapped product is a 30522-row GEMM with 4 columns, 3.5x slower), go through `linear`.
 */
export function tiedOutput(hidden: tf.Tensor2D, table: tf.Tensor, bias: tf.Tensor | null): tf.Tensor2D {
  if (hidden.shape[0] > FEW_ROWS || productsPreferTransposeFlags()) {
    return linear(hidden, table, bias, "out_in") as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const logits = tf.transpose(tf.matMul(table as tf.Tensor2D, tf.transpose(hidden)));
    return (bias === null ? logits : tf.add(logits, bias)) as tf.Tensor2D;
  });
}
