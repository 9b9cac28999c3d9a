import { tf } from "@warmstart/tensors";
import { ComposerError } from "./errors.js";
import { IGNORE_INDEX } from "./labels.js";

/**
 * Mean cross-entropy (natural log) of `logits` [batch, length, vocab] against `labels` [batch][length] over
 * the positions whose label is not IGNORE_INDEX. Differentiable with respect to the logits.
 */
export function maskedCrossEntropy(logits: tf.Tensor, labels: readonly (readonly number[])[]): tf.Scalar {
  const [batch, length, vocab] = logits.shape as [number, number, number];
  if (labels.length !== batch || labels.some((row) => row.length !== length)) {
    throw new ComposerError("INVALID_INPUT", `labels are [${labels.length}][${labels[0]?.length}], the logits [${batch}, ${length}, ${vocab}]`);
  }
  const flat = labels.flat();
  const counted = flat.filter((id) => id !== IGNORE_INDEX).length;
  if (counted === 0) {
    throw new ComposerError("INVALID_INPUT", `labels: every position is ${IGNORE_INDEX}, so there is nothing to compute a loss over`);
  }
  const rows = flat.map((id, i) => i * vocab + (id === IGNORE_INDEX ? 0 : id));
  return tf.tidy(() => {
    const flatLogits = tf.reshape(logits, [batch * length, vocab]);
    // -log softmax at the label = logsumexp(row) - logit(label). Gathering the label logits (instead of a
    // one-hot product) keeps memory at one [tokens, vocab] gradient, which matters for 50k-token vocabularies.
    const picked = tf.gather(tf.reshape(flatLogits, [-1]), tf.tensor1d(rows, "int32"));
    const perToken = tf.sub(tf.logSumExp(flatLogits, 1), picked);
    const weights = tf.tensor1d(flat.map((id) => (id === IGNORE_INDEX ? 0 : 1)), "float32");
    return tf.div(tf.sum(tf.mul(perToken, weights)), tf.scalar(counted)) as tf.Scalar;
  });
}
