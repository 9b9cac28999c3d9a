import * as tf from "@tensorflow/tfjs";
import { hasNativeKernel, nativeKernelName } from "../native.js";

/**
 * Attention weights softmax(scale·scores + mask) over the last axis of `scores` [B, H, Tq, Tk], with an optional
 * additive mask of rank 4 that broadcasts to it. The mask is a constant: no gradient flows into it. On the
 * native backend this is one fused pass each way; elsewhere it is composed from tfjs ops.
 */
export function scaledMaskedSoftmax(scores: tf.Tensor4D, mask: tf.Tensor | undefined, scale: number): tf.Tensor4D {
  const fusable =
    scores.dtype === "float32" &&
    (mask === undefined || (mask.rank === 4 && mask.dtype === "float32")) &&
    hasNativeKernel("maskedSoftmax");
  if (!fusable) {
    return tf.tidy(() => {
      const scaled = scale === 1 ? scores : tf.mul(scores, scale);
      return tf.softmax(mask === undefined ? scaled : tf.add(scaled, mask));
    }) as tf.Tensor4D;
  }
  const op = tf.customGrad((x, save) => {
    const inputs: tf.NamedTensorMap = mask === undefined ? { x: x as tf.Tensor } : { x: x as tf.Tensor, mask };
    const y = tf.engine().runKernel(nativeKernelName("maskedSoftmax"), inputs, { scale }) as tf.Tensor;
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy, saved) =>
        tf
          .engine()
          .runKernel(
            nativeKernelName("maskedSoftmaxGrad"),
            { y: (saved as [tf.Tensor])[0], dy: dy as tf.Tensor },
            { scale },
          ) as tf.Tensor,
    };
  });
  return op(scores) as tf.Tensor4D;
}
