import assert from "node:assert/strict";
import { test } from "node:test";
import { bleu } from "./bleu.js";
import { EvaluationError } from "./errors.js";
import { exactMatch } from "./exact-match.js";
import { computeMetrics, getMetric, metricNames, registerMetric, scoreNames, selectMetrics } from "./registry.js";
import { rouge } from "./rouge.js";
import { sari } from "./sari.js";

const PREDICTIONS = ["About 95 species are currently known .", "The cat sat and slept ."];
const REFERENCES = [["About 95 species are currently known ."], ["The cat sat , and it slept .", "The cat slept ."]];
const SOURCES = ["About 95 species are currently accepted .", "The cat sat . It slept ."];
const INPUT = { predictions: PREDICTIONS, references: REFERENCES, sources: SOURCES };

const isCode =
  (code: string, argument?: string) =>
  (e: unknown): boolean =>
    e instanceof EvaluationError && e.code === code && (argument === undefined || e.argument === argument);

test("the built-in metrics report the one-shot functions' values on the 0-100 scale", () => {
  assert.deepEqual(metricNames().slice(0, 4), ["rouge", "bleu", "sari", "exact_match"]);
  const scores = computeMetrics(["rouge", "bleu", "sari", "exact_match"], INPUT);
  const r = rouge(PREDICTIONS, REFERENCES);
  for (const type of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const) {
    assert.equal(scores[type], 100 * r[type]!.mid.fmeasure, type);
  }
  const b = bleu(PREDICTIONS, REFERENCES);
  assert.equal(scores.bleu, b.score);
  assert.equal(scores.bleu_signature, b.signature);
  assert.equal(scores.sari, sari(SOURCES, PREDICTIONS, REFERENCES).sari);
  assert.equal(scores.exact_match, 100 * exactMatch(PREDICTIONS, [REFERENCES[0]![0]!, REFERENCES[1]![0]!]).exactMatch);
  assert.equal(scores.exact_match, 50);
});

test("a score name selects that score alone; names resolve to each metric once, in its own order", () => {
  assert.deepEqual(Object.keys(computeMetrics(["rouge2"], INPUT)), ["rouge2"]);
  const selection = selectMetrics(["rougeL", "sari", "rouge1", "rouge"]);
  assert.deepEqual(
    selection.map((s) => [s.metric.name, s.scores]),
    [
      ["rouge", ["rouge1", "rouge2", "rougeL", "rougeLsum"]],
      ["sari", ["sari"]],
    ],
  );
  assert.deepEqual(selectMetrics(["rougeL", "rouge1"])[0]!.scores, ["rouge1", "rougeL"]);
});

test("unknown names, missing sources and bad definitions are typed errors naming what is wrong", () => {
  assert.throws(() => computeMetrics(["meteor"], INPUT), isCode("UNKNOWN_METRIC", "metrics"));
  assert.throws(() => getMetric("rouge1"), /unknown metric "rouge1"; registered metrics: rouge, bleu/);
  assert.throws(() => computeMetrics([], INPUT), isCode("INVALID_ARGUMENT", "metrics"));
  assert.throws(
    () => computeMetrics(["sari"], { predictions: PREDICTIONS, references: REFERENCES }),
    isCode("INVALID_ARGUMENT", "sources"),
  );
  assert.throws(
    () => computeMetrics(["exact_match"], { predictions: ["a"], references: [[]] }),
    isCode("EMPTY_REFERENCE"),
  );
  const compute = (): Record<string, number> => ({ x: 1 });
  assert.throws(() => registerMetric({ name: "two words", scores: ["x"], compute }), isCode("INVALID_ARGUMENT"));
  assert.throws(() => registerMetric({ name: "x", scores: [], compute }), isCode("INVALID_ARGUMENT"));
  assert.throws(
    () => registerMetric({ name: "x", scores: ["x"] } as unknown as Parameters<typeof registerMetric>[0]),
    /compute of x must be a function/,
  );
  // A name or a score name that is taken: never replaced.
  assert.throws(() => registerMetric({ name: "sari", scores: ["sari2"], compute }), isCode("DUPLICATE_METRIC"));
  assert.throws(() => registerMetric({ name: "my_rouge", scores: ["rouge2"], compute }), isCode("DUPLICATE_METRIC"));
  assert.ok(!metricNames().includes("my_rouge") && !scoreNames().includes("sari2"));
});

test("a registered metric is selected by name and by score, and its results are checked", () => {
  registerMetric({
    name: "length_ratio",
    scores: ["length_ratio", "longer_share"],
    compute(input, scores) {
      const ratios = input.predictions.map((p, i) => p.length / input.references[i]![0]!.length);
      const all: Record<string, number> = {
        length_ratio: (100 * ratios.reduce((a, b) => a + b, 0)) / ratios.length,
        longer_share: (100 * ratios.filter((r) => r > 1).length) / ratios.length,
      };
      return Object.fromEntries(scores.map((s) => [s, all[s]!]));
    },
  });
  assert.ok(metricNames().includes("length_ratio"));
  const both = computeMetrics(["length_ratio", "bleu"], INPUT);
  assert.deepEqual(Object.keys(both), ["length_ratio", "longer_share", "bleu", "bleu_signature"]);
  assert.equal(both.longer_share, 0);
  assert.deepEqual(Object.keys(computeMetrics(["longer_share"], INPUT)), ["longer_share"]);

  registerMetric({ name: "broken", scores: ["broken"], compute: () => ({ broken: Number.NaN }) });
  assert.throws(() => computeMetrics(["broken"], INPUT), isCode("INVALID_METRIC_RESULT", "broken"));
});
