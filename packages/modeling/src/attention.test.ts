import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, scaledDotProductAttention, tf } from "@warmstart/tensors";
import { causalMask, causalPaddingMask } from "./masks.js";

// A query row whose every key is masked gets a zero output, as PyTorch's scaled_dot_product_attention
// (transformers' default) gives it, instead of weights spread over masked (even future) keys.
for (const [name, build] of [
  ["BERT decoder mask", causalPaddingMask],
  ["causal mask plus padding mask (GPT-2)", causalMask],
] as const) {
  test(`${name}: a fully masked query row attends to nothing, the other rows skip the masked key`, async () => {
    await initBackend();
    const [q, k, v] = [1, 2, 3].map((seed) => tf.randomNormal([1, 2, 3, 4], 0, 1, "float32", seed) as tf.Tensor4D) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    const padding = tf.tensor2d([[0, 1, 1]]);
    const out = scaledDotProductAttention(q, k, v, build(1, 3, 3, padding), 0.5);
    const rows = out.arraySync() as number[][][][];
    for (const head of rows[0] as number[][][]) assert.deepEqual(head[0], [0, 0, 0, 0]);
    // Row 1 sees only key 1 (key 0 is padding, key 2 is in its future): its output is v[1] exactly.
    const values = v.arraySync() as number[][][][];
    rows[0]?.forEach((head, h) =>
      head[1]?.forEach((x, d) => assert.ok(Math.abs(x - (values[0]?.[h]?.[1]?.[d] as number)) < 1e-6)),
    );
    tf.dispose([q, k, v, padding, out]);
  });
}

test("rows with a kept key are unchanged by the fully-masked-row rule", async () => {
  await initBackend();
  const [q, k, v] = [4, 5, 6].map((seed) => tf.randomNormal([2, 2, 3, 4], 0, 1, "float32", seed) as tf.Tensor4D) as [
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
  ];
  const mask = causalPaddingMask(
    2,
    3,
    3,
    tf.tensor2d([
      [1, 1, 0],
      [1, 0, 1],
    ]),
  );
  const expected = tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 0.5), mask)), v);
  const diff = tf.max(tf.abs(tf.sub(scaledDotProductAttention(q, k, v, mask, 0.5), expected))).dataSync()[0] as number;
  assert.ok(diff < 1e-6, `max difference ${diff}`);
});
