import * as tf from "@tensorflow/tfjs";
import { hasNativeKernel, nativeKernelName } from "../native.js";

/**
 * Σᵢ wᵢ·(logsumexp(logitsᵢ) − logitsᵢ[targetᵢ]) over the rows of `logits` [tokens, vocab], as a scalar, with the
 * closed-form gradient wᵢ·(softmax(logitsᵢ) − onehot(targetᵢ)). Every target must be in [0, vocab); a row with
 * weight 0 adds nothing (how a caller drops positions labelled -100). On the native backend this is one fused
 * kernel each way (no one-hot, no [tokens, vocab] temporaries besides the gradient); elsewhere it is composed from
 * tfjs ops — still in closed form, because autodiff through logsumexp differentiates its max with a broadcast
 * equality over every [tokens, vocab] entry, the slowest path on every CPU backend.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: readonly number[],
  weights: readonly number[],
): tf.Scalar {
  const [tokens, vocab] = logits.shape;
  if (targets.length !== tokens || weights.length !== tokens) {
    throw new Error(
      `softmaxCrossEntropy: ${targets.length} targets and ${weights.length} weights for ${tokens} rows of logits`,
    );
  }
  const bad = targets.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad >= 0) throw new Error(`softmaxCrossEntropy: target ${targets[bad]} of row ${bad} is outside [0, ${vocab})`);
  return logits.dtype === "float32" && hasNativeKernel("softmaxCrossEntropy")
    ? fusedCrossEntropy(logits, targets, weights)
    : composedCrossEntropy(logits, targets, weights);
}

function composedCrossEntropy(logits: tf.Tensor2D, targets: readonly number[], weights: readonly number[]): tf.Scalar {
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
      return tf.sum(tf.mul(perToken, tf.tensor1d(weights as number[], "float32")));
    });
    return {
      value,
      // Gradient functions run outside the caller's tidy, so they tidy their own temporaries.
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs] = saved as [tf.Tensor2D];
          // oneHot is built as int32 and cast: tfjs-wasm 4.22 returns int32 bits labelled float32 otherwise.
          const oneHot = tf.cast(tf.oneHot(tf.tensor1d(targets as number[], "int32"), vocab), "float32");
          const rowScale = tf.mul(tf.tensor2d(weights as number[], [tokens, 1]), dy as tf.Scalar);
          return tf.mul(tf.sub(tf.softmax(xs), oneHot), rowScale);
        }),
    };
  });
  return loss(logits) as tf.Scalar;
}

/** The native backend's kernels: logsumexp per row kept from the forward pass for the backward one. */
function fusedCrossEntropy(logits: tf.Tensor2D, targets: readonly number[], weights: readonly number[]): tf.Scalar {
  const targetTensor = tf.tensor1d(targets as number[], "int32");
  const weightTensor = tf.tensor1d(weights as number[], "float32");
  try {
    const op = tf.customGrad((x, save) => {
      const [loss, lse] = tf.engine().runKernel(nativeKernelName("softmaxCrossEntropy"), {
        logits: x as tf.Tensor,
        targets: targetTensor,
        weights: weightTensor,
      }) as unknown as [tf.Scalar, tf.Tensor1D];
      // The targets and weights are constants of the op, saved with the logits for the gradient (tfjs keeps copies).
      (save as tf.GradSaveFunc)([x as tf.Tensor, targetTensor, weightTensor, lse]);
      return {
        value: loss,
        gradFunc: (dy, saved) => {
          const [xs, t, w, l] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          return tf.engine().runKernel(nativeKernelName("softmaxCrossEntropyGrad"), {
            dy: dy as tf.Tensor,
            logits: xs,
            targets: t,
            weights: w,
            lse: l,
          }) as tf.Tensor;
        },
      };
    });
    return op(logits) as tf.Scalar;
  } finally {
    tf.dispose([targetTensor, weightTensor]);
  }
}
