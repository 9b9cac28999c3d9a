import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import type { Triple } from "./bootstrap.js";
import { EvaluationError } from "./errors.js";
import { findUnion, lcsIndices, lcsTable } from "./lcs.js";
import { rouge, RougeScorer, summaryLevelLcs, tokenizeForRouge, type RougeScores, type RougeType } from "./rouge.js";
import { PREDICTION_MULTI_0, PREDICTIONS, TARGET_MULTI_0, TARGETS } from "./test-support/rouge-testdata.js";

// Published cases: google-research/google-research, rouge/rouge_scorer_test.py (rouge_score's own suite),
// as listed in ../shared/research/metric_vectors.md section 1. RougeScorer.score takes the TARGET first.

function expectTriple(actual: Triple | undefined, expected: [number, number, number], tol: number, what: string) {
  assert.ok(actual !== undefined, `${what} missing`);
  assertClose([actual.precision, actual.recall, actual.fmeasure], expected, tol, what);
}

function one(types: RougeType[], target: string, prediction: string, useStemmer = false): RougeScores {
  return new RougeScorer({ rougeTypes: types, useStemmer }).score(target, prediction);
}

test("rouge_scorer_test testRouge1: 'testing one two' vs 'testing'", () => {
  expectTriple(one(["rouge1"], "testing one two", "testing").rouge1, [1, 1 / 3, 1 / 2], 1e-7, "rouge1");
});

test("rouge_scorer_test testRouge2: 'testing one two' vs 'testing one'", () => {
  expectTriple(one(["rouge2"], "testing one two", "testing one").rouge2, [1, 1 / 2, 2 / 3], 1e-7, "rouge2");
});

test("rouge_scorer_test testRougeLConsecutive and testRougeLNonConsecutive", () => {
  expectTriple(one(["rougeL"], "testing one two", "testing one").rougeL, [1, 2 / 3, 4 / 5], 1e-7, "consecutive");
  expectTriple(one(["rougeL"], "testing one two", "testing two").rougeL, [1, 2 / 3, 4 / 5], 1e-7, "non-consecutive");
});

test("rouge_scorer_test testMultipleRougeTypes: rouge1 and rougeL together", () => {
  const r = one(["rouge1", "rougeL"], "testing one two", "testing one");
  assert.deepEqual(Object.keys(r).sort(), ["rouge1", "rougeL"]);
  expectTriple(r.rouge1, [1, 2 / 3, 4 / 5], 1e-7, "rouge1");
  expectTriple(r.rougeL, [1, 2 / 3, 4 / 5], 1e-7, "rougeL");
});

test("rouge_scorer_test testRougeEmpty: an empty prediction scores 0 for every type", () => {
  for (const type of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const) {
    expectTriple(one([type], "testing one two", "")[type], [0, 0, 0], 1e-7, type);
  }
});

test("rouge_scorer_test testRougeLsum: union LCS over newline-separated sentences and its empty cases", () => {
  expectTriple(
    one(["rougeLsum"], "w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5").rougeLsum,
    [0.4, 0.8, 0.5333],
    1e-3,
    "lsum",
  );
  expectTriple(one(["rougeLsum"], "w1 w2 w3 w4 w5", "").rougeLsum, [0, 0, 0], 1e-3, "empty prediction");
  expectTriple(one(["rougeLsum"], "", "w1").rougeLsum, [0, 0, 0], 1e-3, "empty target");
  expectTriple(one(["rougeLsum"], "w1 w2 w3 w4 w5", "/").rougeLsum, [0, 0, 0], 1e-3, "all non-word prediction");
});

test("rouge_scorer_test testInvalidRougeTypes / testValidRougeTypes", () => {
  for (const bad of ["rougen", "rouge0", "rouge10"]) {
    assert.throws(
      () => new RougeScorer({ rougeTypes: [bad as RougeType] }),
      (e: unknown) => e instanceof EvaluationError && e.code === "UNKNOWN_ROUGE_TYPE" && e.message.includes(bad),
    );
  }
  for (const good of ["rouge1", "rouge9", "rougeL", "rougeLsum"] as const) {
    assert.deepEqual(Object.keys(one([good], "testing one two", "testing")), [good]);
  }
});

// rouge_scorer_test testRouge1/2/LAgainstRouge155 (5 decimal places, ROUGE-1.5.5 ground truth) on lines 0
// and 1 of testdata/target.txt and prediction.txt.
test("rouge_scorer_test *AgainstRouge155: rouge1, rouge2, rougeL on the testdata lines", () => {
  const expected: Record<"rouge1" | "rouge2" | "rougeL", [number, number, number][]> = {
    rouge1: [
      [0.6875, 0.40741, 0.51163],
      [0.65385, 0.40476, 0.5],
    ],
    rouge2: [
      [0.53333, 0.30769, 0.39024],
      [0.48, 0.29268, 0.36364],
    ],
    rougeL: [
      [0.6875, 0.40741, 0.51163],
      [0.65385, 0.40476, 0.5],
    ],
  };
  const scores = rouge([...PREDICTIONS], [...TARGETS], {
    rougeTypes: ["rouge1", "rouge2", "rougeL"],
    useAggregator: false,
  });
  for (const type of ["rouge1", "rouge2", "rougeL"] as const) {
    for (const i of [0, 1]) {
      expectTriple(scores[i]?.[type], expected[type][i] as [number, number, number], 1e-5, `${type} pair ${i}`);
    }
  }
});

test("rouge_scorer_test *AgainstRouge155WithStemming: the Porter stemmer changes pair 1 as ROUGE-1.5.5 -m does", () => {
  const scores = rouge([...PREDICTIONS], [...TARGETS], {
    rougeTypes: ["rouge1", "rouge2"],
    useStemmer: true,
    useAggregator: false,
  });
  expectTriple(scores[0]?.rouge1, [0.6875, 0.40741, 0.51163], 1e-5, "rouge1 pair 0");
  expectTriple(scores[1]?.rouge1, [0.69231, 0.42857, 0.52941], 1e-5, "rouge1 pair 1");
  expectTriple(scores[0]?.rouge2, [0.53333, 0.30769, 0.39024], 1e-5, "rouge2 pair 0");
  expectTriple(scores[1]?.rouge2, [0.48, 0.29268, 0.36364], 1e-5, "rouge2 pair 1");
});

test("rouge_scorer_test testRougeLSumAgainstRouge155WithStemming: pyrouge_files/*_multi.0.txt", () => {
  const r = one(["rougeLsum"], TARGET_MULTI_0, PREDICTION_MULTI_0, true);
  expectTriple(r.rougeLsum, [0.66667, 0.36538, 0.47205], 1e-5, "rougeLsum");
});

test("rouge_scorer_test testLcsTable, testUnionLcs, testSummaryLevelLcs helpers", () => {
  const ref = [1, 2, 3, 4, 5];
  const c1 = [2, 5, 3, 4];
  assert.equal(lcsTable(ref, c1)[ref.length * (c1.length + 1) + c1.length], 3);
  assert.deepEqual(lcsIndices(ref, c1), [1, 2, 3]);
  assert.deepEqual(lcsIndices(ref, [8, 9]), []);
  assert.deepEqual(
    findUnion([
      [0, 1],
      [0, 2, 4],
    ]),
    [0, 1, 2, 4],
  );
  assert.deepEqual(
    findUnion([
      [0, 2, 4],
      [0, 1],
    ]),
    [0, 1, 2, 4],
  );
  const s = summaryLevelLcs(
    [["1", "2", "3", "4", "5"]],
    [
      ["1", "2", "6", "7", "8"],
      ["1", "3", "8", "9", "5"],
    ],
  );
  assert.equal(s.recall, 0.8);
  assert.equal(s.precision, 0.4);
  assertClose([s.fmeasure], [0.5333], 1e-3, "fmeasure");
  assert.equal(summaryLevelLcs([["reference"]], [[]]).recall, 0);
});

// huggingface/evaluate, metrics/rouge/rouge.py docstring: identical predictions and references give 1.0
// for every type (the aggregator's mid).
test("Hugging Face rouge docstring: identical pairs give mid F = 1 for all four types", () => {
  const r = rouge(["hello there", "general kenobi"], ["hello there", "general kenobi"]);
  for (const type of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const) assert.equal(r[type]?.mid.fmeasure, 1);
});

test("default tokenizer: lower-case, non-alphanumerics split, stems only words longer than 3", () => {
  assert.deepEqual(tokenizeForRouge("Hello, WORLD! it's 2024-05"), ["hello", "world", "it", "s", "2024", "05"]);
  assert.deepEqual(tokenizeForRouge("  \n\t "), []);
  assert.deepEqual(tokenizeForRouge("cats runs ran"), ["cats", "runs", "ran"]);
  const stem = (w: string) => `<${w}>`;
  // A stem outside [a-z0-9] is dropped by the final validity check, as in rouge_score.
  assert.deepEqual(tokenizeForRouge("cats run", stem), ["run"]);
});

test("multiple references: each type keeps the reference with the best F (score_multi)", () => {
  const [scores] = rouge(["the cat sat"], [["a dog ran", "the cat sat down"]], {
    useAggregator: false,
    rougeTypes: ["rouge1"],
  });
  expectTriple(scores?.rouge1, [1, 3 / 4, 6 / 7], 1e-12, "best reference");
});

test("a custom tokenizer replaces the default one", () => {
  const [s] = rouge(["A-B"], ["a b"], { useAggregator: false, rougeTypes: ["rouge1"], tokenizer: (t) => t.split(" ") });
  assert.equal(s?.rouge1?.fmeasure, 0);
});

test("aggregated results have low <= mid <= high for every type and measure", () => {
  const preds = ["the cat sat on the mat", "a quick brown fox", "nothing in common", "jumps over the lazy dog"];
  const refs = ["the cat is on the mat", "the quick brown fox", "entirely different words", "jumped over a lazy dog"];
  const agg = rouge(preds, refs, { seed: 7 });
  for (const type of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const) {
    const a = agg[type];
    assert.ok(a !== undefined);
    for (const m of ["precision", "recall", "fmeasure"] as const) {
      assert.ok(a.low[m] <= a.mid[m] && a.mid[m] <= a.high[m], `${type}.${m}`);
    }
  }
});
