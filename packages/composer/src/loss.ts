import { IGNORE_INDEX } from "@warmstart/core";
import { tf } from "@warmstart/tensors";
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
  const loss = weightedCrossEntropy(flatLogits, targets, weights);
  flatLogits.dispose();
  return loss;
}

/**
 * Σᵢ wᵢ·(logsumexp(logitsᵢ) − logitsᵢ[targetᵢ]) with the closed-form gradient wᵢ·(softmax(logitsᵢ) − onehot(targetᵢ)).
 * Autodiff through logsumexp would differentiate its max with a broadcast equality over every [tokens, vocab]
 * entry, the slowest path on every CPU backend; the closed form is one softmax and one subtraction.
 */
function weightedCrossEntropy(logits: tf.Tensor2D, targets: number[], weights: number[]): tf.Scalar {
  const [tokens, vocab] = logits.shape;
  const loss = tf.customGrad((x, save) => {
    const flatLogits = x as tf.Tensor2D;
    (save as tf.GradSaveFunc)([flatLogits]);
    const value = tf.tidy(() => {
      // Gathering the target logits (instead of a one-hot product) keeps the forward pass at one [tokens, vocab]
      // tensor, which matters for 50k-token vocabularies.
      const positions = tf.tensor1d(
        targets.map((id, i) => i * vocab + id),
        "int32",
      );
      const picked = tf.gather(tf.reshape(flatLogits, [-1]), positions);
      const perToken = tf.sub(tf.logSumExp(flatLogits, 1), picked);
      return tf.sum(tf.mul(perToken, tf.tensor1d(weights, "float32")));
    });
    return {
      value,
      // Gradient functions run outside the caller's tidy, so they tidy their own temporaries.
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs] = saved as [tf.Tensor2D];
          // oneHot is built as int32 and cast: tfjs-wasm 4.22 returns int32 bits labelled float32 otherwise.
          const oneHot = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), vocab), "float32");
          const rowScale = tf.mul(tf.tensor2d(weights, [tokens, 1]), dy as tf.Scalar);
          return tf.mul(tf.sub(tf.softmax(xs), oneHot), rowScale);
        }),
    };
  });
  return loss(logits) as tf.Scalar;
}
