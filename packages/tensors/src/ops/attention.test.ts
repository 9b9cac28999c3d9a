import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.js";
import { createRandom } from "../random.js";
import { FLOAT32_MIN, scaledDotProductAttention } from "./attention.js";
import { productsPreferTransposeFlags } from "./backend_traits.js";

/** The formulation the op must equal whatever products it picks: softmax(q·kᵀ·scale + mask)·v. */
function naive(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor | undefined,
  scale: number,
): tf.Tensor4D {
  const scores = tf.mul(tf.matMul(q, k, false, true), scale);
  return tf.matMul(tf.softmax(mask === undefined ? scores : tf.add(scores, mask)), v) as tf.Tensor4D;
}

// wasm takes the per-(batch, head) 2-D products, cpu the batched products with transpose flags.
for (const [backend, flags] of [
  ["wasm", false],
  ["cpu", true],
] as const) {
  test(`scaledDotProductAttention on ${backend}: value and gradients equal softmax(q·kᵀ·scale + mask)·v`, async () => {
    await initBackend({ backend });
    assert.equal(productsPreferTransposeFlags(), flags, "the product path this case is meant to cover");
    const random = createRandom(21).fork("attention");
    const [q, k, v] = ["q", "k", "v"].map((name) => random.fork(name).normal([2, 3, 4, 5], 1)) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    // Padding on the last key of batch 1, as a padding mask builds it.
    const mask = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, FLOAT32_MIN], [2, 1, 1, 4]);
    for (const m of [mask, undefined]) {
      const fast = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        scaledDotProductAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, m, 0.5);
      const slow = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        naive(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, m, 0.5);
      assertClose(fast(q, k, v).dataSync(), slow(q, k, v).dataSync(), 1e-5, "value");
      const upstream = random.fork("upstream").normal([2, 3, 4, 5], 1);
      const objective = (f: typeof fast) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(f(a, b, c), upstream));
      const fastGrads = tf.grads(objective(fast))([q, k, v]);
      const slowGrads = tf.grads(objective(slow))([q, k, v]);
      fastGrads.forEach((g, i) => assertClose(g.dataSync(), (slowGrads[i] as tf.Tensor).dataSync(), 1e-5, `grad ${i}`));
    }
  });

  test(`scaledDotProductAttention on ${backend}: a query row with every key masked gives zeros`, async () => {
    await initBackend({ backend });
    const random = createRandom(22);
    const [q, k, v] = ["q", "k", "v"].map((name) => random.fork(name).normal([1, 2, 2, 3], 1)) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    // Query 0 sees no key; query 1 sees both.
    const mask = tf.tensor4d([FLOAT32_MIN, FLOAT32_MIN, 0, 0], [1, 1, 2, 2]);
    const out = scaledDotProductAttention(q, k, v, mask, 1).arraySync();
    const expected = naive(q, k, v, mask, 1).arraySync();
    for (let h = 0; h < 2; h++) {
      assert.deepEqual(out[0]?.[h]?.[0], [0, 0, 0]);
      assertClose(out[0]?.[h]?.[1] as number[], expected[0]?.[h]?.[1] as number[], 1e-6, "kept row");
    }
    // Dropout of the weights is the caller's and runs on the weights only.
    const halved = scaledDotProductAttention(q, k, v, mask, 1, (p) => tf.mul(p, 0.5) as tf.Tensor4D).arraySync();
    assertClose(
      halved[0]?.[0]?.[1] as number[],
      (expected[0]?.[0]?.[1] as number[]).map((x) => x / 2),
      1e-6,
      "dropout",
    );
  });
}
