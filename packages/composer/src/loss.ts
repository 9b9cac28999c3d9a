import { IGNORE_INDEX } from "@warmstart/core";
import { softmaxCrossEntropy, tf } from "@warmstart/tensors";
import { ComposerError } from "./errors.js";

/**
 * Mean cross-entropy (natural log) of `logits` [batch, length, vocab] against `labels` [batch][length] over
 * the positions whose label is not IGNORE_INDEX. Differentiable with respect to the logits.
 */
export function maskedCrossEntropy(logits: tf.Tensor, labels: readonly (readonly number[])[]): tf.Scalar {
  const [batch, length, vocab] = logits.shape as [number, number, number];
  if (labels.length !== batch || labels.some((row) => row.length !== length)) {
    throw new ComposerError(
      "INVALID_INPUT",
      `labels are [${labels.length}][${labels[0]?.length}], the logits [${batch}, ${length}, ${vocab}]`,
    );
  }
  for (const [b, row] of labels.entries()) {
    const i = row.findIndex((id) => id !== IGNORE_INDEX && !(Number.isInteger(id) && id >= 0 && id < vocab));
    if (i >= 0) {
      throw new ComposerError(
        "INVALID_INPUT",
        `labels[${b}][${i}] is ${row[i]}: a label must be a token id in [0, ${vocab}) or ${IGNORE_INDEX} (ignored)`,
      );
    }
  }
  const flat = labels.flat();
  const counted = flat.filter((id) => id !== IGNORE_INDEX).length;
  if (counted === 0) {
    throw new ComposerError(
      "INVALID_INPUT",
      `labels: every position is ${IGNORE_INDEX}, so there is nothing to compute a loss over`,
    );
  }
  const targets = flat.map((id) => (id === IGNORE_INDEX ? 0 : id));
  const weights = flat.map((id) => (id === IGNORE_INDEX ? 0 : 1 / counted));
  const flatLogits = tf.reshape(logits, [batch * length, vocab]) as tf.Tensor2D;
  const loss = softmaxCrossEntropy(flatLogits, targets, weights);
  flatLogits.dispose();
  return loss;
}
