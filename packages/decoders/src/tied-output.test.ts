import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, initBackend, linear, tf } from "@warmstart/tensors";
import { assertClose } from "@warmstart/test-utils";
import { tiedOutput } from "./tied-output.js";

test("tiedOutput equals hidden · tableᵀ + bias on both of its paths", async () => {
  await initBackend({ backend: "wasm" });
  const random = createRandom(5);
  const table = random.normal([300, 16], 1);
  const bias = random.normal([300], 1);
  for (const rows of [3, 64, 65, 130]) {
    const hidden = random.normal([rows, 16], 1) as tf.Tensor2D;
    const expected = linear(hidden, table, bias, "out_in");
    const got = tiedOutput(hidden, table, bias);
    assert.deepEqual(got.shape, [rows, 300]);
    assertClose(got.dataSync(), expected.dataSync(), 1e-5, `${rows} rows`);
    tf.dispose([hidden, expected, got]);
  }
  tf.dispose([table, bias]);
});
