import assert from "node:assert/strict";
import { test } from "node:test";
import { IGNORE_INDEX } from "@warmstart/core";
import { createRandom, initBackend, tf } from "@warmstart/tensors";
import { assertClose } from "@warmstart/test-utils";
import { maskedCrossEntropy } from "./loss.js";

test("maskedCrossEntropy's value and closed-form gradient equal autodiff of −mean log-softmax at the labels", async () => {
  await initBackend();
  const logits = tf.mul(createRandom(3).normal([2, 4, 7], 1), 3) as tf.Tensor3D;
  const labels = [
    [3, IGNORE_INDEX, 0, 6],
    [IGNORE_INDEX, 2, 2, IGNORE_INDEX],
  ];
  const kept = labels.flat().map((id) => (id === IGNORE_INDEX ? 0 : 1));
  const reference = (x: tf.Tensor) => {
    const logProbs = tf.logSoftmax(tf.reshape(x, [8, 7]));
    const oneHot = tf.cast(
      tf.oneHot(
        tf.tensor1d(
          labels.flat().map((id) => Math.max(id, 0)),
          "int32",
        ),
        7,
      ),
      "float32",
    );
    const perToken = tf.neg(tf.sum(tf.mul(logProbs, oneHot), 1));
    return tf.div(tf.sum(tf.mul(perToken, tf.tensor1d(kept))), 5) as tf.Scalar;
  };
  const before = tf.memory().numTensors;
  const ours = tf.valueAndGrad((x: tf.Tensor) => maskedCrossEntropy(x, labels))(logits);
  const theirs = tf.valueAndGrad(reference)(logits);
  assertClose(ours.value.dataSync(), theirs.value.dataSync(), 1e-5, "loss");
  assertClose(ours.grad.dataSync(), theirs.grad.dataSync(), 1e-6, "gradient");
  // Ignored positions get no gradient at all.
  const grad = ours.grad.arraySync() as number[][][];
  assert.ok(grad[0]![1]!.every((g) => g === 0) && grad[1]![3]!.every((g) => g === 0));
  tf.dispose([ours.value, ours.grad, theirs.value, theirs.grad]);
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  logits.dispose();
});

test("maskedCrossEntropy names a label outside the vocabulary", async () => {
  await initBackend();
  const logits = tf.zeros([1, 3, 5]);
  for (const bad of [5, -1, 2.5]) {
    assert.throws(
      () => maskedCrossEntropy(logits, [[1, IGNORE_INDEX, bad]]),
      (e: Error) =>
        e.name === "ComposerError" && e.message.includes(`labels[0][2] is ${bad}`) && /\[0, 5\)/.test(e.message),
    );
  }
  logits.dispose();
});
