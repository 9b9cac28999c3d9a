import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose, maxAbsDiff } from "./close.js";

test("maxAbsDiff finds the largest gap and treats NaN against a number as infinite", () => {
  assert.equal(maxAbsDiff([1, 2, 3], [1, 2.5, 3]), 0.5);
  assert.equal(maxAbsDiff([Number.NaN], [0]), Number.POSITIVE_INFINITY);
});

test("assertClose passes within tolerance and fails outside it, naming the index", () => {
  assertClose([1, 2], [1 + 1e-6, 2], 1e-5);
  assert.throws(() => assertClose([1, 2], [1, 2.1], 1e-5, "logits"), /logits: .* at index 1/);
});
