import assert from "node:assert/strict";
import { test } from "node:test";
import { EvaluationError } from "./errors.js";
import { MAX_LCS_CELLS, rouge } from "./rouge.js";

const words = (n: number, salt: number): string =>
  Array.from({ length: n }, (_, i) => `w${(i * 7 + salt) % 101}`).join(" ");

test("ROUGE-L and ROUGE-Lsum refuse an example beyond MAX_LCS_CELLS at once, naming the example", () => {
  const long = words(40_000, 1);
  assert.ok(40_000 * 40_000 > MAX_LCS_CELLS);
  for (const type of ["rougeL", "rougeLsum"] as const) {
    const started = performance.now();
    assert.throws(
      () => rouge(["short", long], ["short", words(40_000, 2)], { rougeTypes: [type], useAggregator: false }),
      (error: unknown) =>
        error instanceof EvaluationError &&
        error.code === "INPUT_TOO_LONG" &&
        error.index === 1 &&
        error.message.startsWith(`predictions[1]: ${type} of a 40000-token target`),
    );
    assert.ok(performance.now() - started < 5000, "refused before the quadratic work");
  }
  // The n-gram types are linear and still score such texts.
  const scores = rouge([long], [long], { rougeTypes: ["rouge1"], useAggregator: false });
  assert.equal(scores[0]?.rouge1?.fmeasure, 1);
});
