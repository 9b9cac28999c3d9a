import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { assertClose } from "@warmstart/test-utils";
import { bootstrapAggregate, percentileSorted, type AggregateTriple, type Triple } from "./bootstrap.js";
import { EvaluationError } from "./errors.js";

// Published cases: google-research/google-research, rouge/scoring_test.py, BootstrapAggregatorTest
// (delta 1e-8). rouge_score seeds numpy with 123; this port's generator differs (see bootstrap.ts), and
// ../shared/research/metric_vectors.md notes these two cases come out the same for any reasonable draw.
const SCORES: Triple[] = [
  { precision: 1, recall: 1 / 3, fmeasure: 1 / 2 },
  { precision: 0, recall: 0, fmeasure: 0 },
  { precision: 1, recall: 1, fmeasure: 1 },
];

function expectAggregate(a: AggregateTriple | undefined, p: number[], r: number[], f: number[], tol: number): void {
  assert.ok(a !== undefined);
  assertClose([a.low.precision, a.mid.precision, a.high.precision], p, tol, "precision low/mid/high");
  assertClose([a.low.recall, a.mid.recall, a.high.recall], r, tol, "recall low/mid/high");
  assertClose([a.low.fmeasure, a.mid.fmeasure, a.high.fmeasure], f, tol, "fmeasure low/mid/high");
}

test("scoring_test testConsistentPercentiles (confidence 0.9)", () => {
  for (const seed of [0, 1, 123, 2024]) {
    const result = bootstrapAggregate(new Map([["rouge1", SCORES]]), { confidenceInterval: 0.9, seed });
    expectAggregate(result.rouge1, [1 / 3, 2 / 3, 1], [1 / 9, 4 / 9, 7 / 9], [1 / 6, 3 / 6, 5 / 6], 1e-8);
  }
});

test("scoring_test testLargeConfidence (confidence 0): low = mid = high", () => {
  const result = bootstrapAggregate(new Map([["rouge1", SCORES]]), { confidenceInterval: 0 });
  expectAggregate(result.rouge1, [2 / 3, 2 / 3, 2 / 3], [4 / 9, 4 / 9, 4 / 9], [3 / 6, 3 / 6, 3 / 6], 1e-8);
});

function randomScores(n: number, seed: number): Triple[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const precision = rng.nextUint32() / 2 ** 32;
    const recall = rng.nextUint32() / 2 ** 32;
    return { precision, recall, fmeasure: (2 * precision * recall) / (precision + recall || 1) };
  });
}

test("low <= mid <= high, mid within the bootstrap's noise of the plain mean", () => {
  const rows = randomScores(400, 99);
  const mean = rows.reduce((s, r) => s + r.fmeasure, 0) / rows.length;
  const result = bootstrapAggregate(new Map([["x", rows]]), { seed: 5 });
  const a = result.x as AggregateTriple;
  for (const m of ["precision", "recall", "fmeasure"] as const) {
    assert.ok(a.low[m] <= a.mid[m] && a.mid[m] <= a.high[m], m);
  }
  // The standard error of the mean here is about 0.3 / sqrt(400) = 0.015; the median of 1000 bootstrap
  // means sits far closer to the mean than that.
  assert.ok(Math.abs(a.mid.fmeasure - mean) < 0.005, `mid ${a.mid.fmeasure} vs mean ${mean}`);
  assert.ok(a.high.fmeasure - a.low.fmeasure > 0.02 && a.high.fmeasure - a.low.fmeasure < 0.1, "95% width");
});

test("the same seed gives the same intervals, another seed different ones", () => {
  const rows = randomScores(50, 3);
  const a = bootstrapAggregate(new Map([["x", rows]]), { seed: 11 });
  const b = bootstrapAggregate(new Map([["x", rows]]), { seed: 11 });
  const c = bootstrapAggregate(new Map([["x", rows]]), { seed: 12 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("percentile uses numpy's linear interpolation", () => {
  const sorted = Float64Array.from([1, 2, 3, 4]);
  // numpy.percentile([1,2,3,4], [0, 25, 50, 90, 100]) = [1, 1.75, 2.5, 3.7, 4]
  assertClose(
    [0, 25, 50, 90, 100].map((q) => percentileSorted(sorted, q)),
    [1, 1.75, 2.5, 3.7, 4],
    1e-12,
    "percentiles",
  );
});

test("bad options and empty columns raise EvaluationError naming the option", () => {
  const rows = new Map([["x", SCORES]]);
  for (const [opts, arg] of [
    [{ confidenceInterval: 1.5 }, "options.confidenceInterval"],
    [{ nSamples: 0 }, "options.nSamples"],
    [{ seed: -1 }, "options.seed"],
  ] as const) {
    assert.throws(
      () => bootstrapAggregate(rows, opts),
      (e: unknown) => e instanceof EvaluationError && e.argument === arg,
    );
  }
  assert.throws(
    () => bootstrapAggregate(new Map([["x", []]])),
    (e: unknown) => e instanceof EvaluationError && e.code === "EMPTY_INPUT",
  );
});
