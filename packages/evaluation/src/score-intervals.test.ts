import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { bootstrapAggregate, percentileSorted, type Triple } from "./bootstrap.js";
import { EvaluationError } from "./errors.js";
import { computeMetrics, registerMetric, type MetricInput } from "./registry.js";
import { rouge, type RougeScores } from "./rouge.js";
import { bootstrapScores, pairedBootstrapScores, type ScoreInterval } from "./score-intervals.js";

// Sentence splitting in the style of WikiSplit: a complex source, a model's split, one or two gold splits. Two
// predictions equal their first reference, so exact match is neither 0 nor 100.
const SOURCES = [
  "Lauren Crace , born 1986 in Birmingham , plays Danielle Jones in the soap opera EastEnders .",
  "The bridge , which opened in 1932 , carries six lanes of traffic across the harbour .",
  "About 95 species are currently accepted , and most of them live in the tropics .",
  "He studied law at Oxford but left without a degree to join the army in 1914 .",
  "The album was recorded in Berlin and was released in March 1977 to mixed reviews .",
  "Marie moved to Paris in 1891 , where she studied physics and met Pierre Curie .",
  "The town has a population of 4,000 and lies on the banks of the river Avon .",
  "The novel , set in Dublin , follows one day in the life of Leopold Bloom .",
];
const PREDICTIONS = [
  "Lauren Crace was born 1986 in Birmingham . She plays Danielle Jones in the soap opera EastEnders .",
  "The bridge opened in 1932 . It carries six lanes of traffic across the harbour .",
  "About 95 species are currently accepted . Most of them live in the tropics .",
  "He studied law at Oxford . He left to join the army in 1914 .",
  "The album was recorded in Berlin . It was released in March 1977 .",
  "Marie moved to Paris in 1891 . There she studied physics and met Pierre Curie .",
  "The town has a population of 4,000 and lies on the banks of the river Avon .",
  "The novel is set in Dublin . The novel follows one day in the life of Leopold Bloom .",
];
const REFERENCES = [
  [
    "Lauren Crace was born 1986 in Birmingham . She plays Danielle Jones in the soap opera EastEnders .",
    "Lauren Crace was born in 1986 in Birmingham . Crace plays Danielle Jones in EastEnders .",
  ],
  ["The bridge opened in 1932 . The bridge carries six lanes of traffic across the harbour ."],
  ["About 95 species are currently accepted . Most of them live in the tropics ."],
  ["He studied law at Oxford but left without a degree . He joined the army in 1914 ."],
  ["The album was recorded in Berlin . The album was released in March 1977 to mixed reviews ."],
  ["Marie moved to Paris in 1891 . In Paris she studied physics and met Pierre Curie ."],
  ["The town has a population of 4,000 . It lies on the banks of the river Avon ."],
  ["The novel is set in Dublin . It follows one day in the life of Leopold Bloom ."],
];
const INPUT: MetricInput = { sources: SOURCES, predictions: PREDICTIONS, references: REFERENCES };
const FOUR = ["sari", "exact_match", "bleu", "rouge2"];

const isCode =
  (code: string, argument?: string) =>
  (e: unknown): boolean =>
    e instanceof EvaluationError && e.code === code && (argument === undefined || e.argument === argument);

/** The textbook bootstrap: draw a resample's indices, rebuild its lists, run the metric on them. */
function naiveResamples(
  input: MetricInput,
  nSamples: number,
  seed: number,
  score: (resample: MetricInput) => Record<string, number>,
): Record<string, Float64Array> {
  const rng = new SeededRandom(seed);
  const n = input.predictions.length;
  const out: Record<string, Float64Array> = {};
  for (let s = 0; s < nSamples; s++) {
    const indices = Array.from({ length: n }, () => rng.int(n));
    const scores = score({
      predictions: indices.map((k) => input.predictions[k] as string),
      references: indices.map((k) => input.references[k] as string[]),
      sources: indices.map((k) => (input.sources as string[])[k] as string),
    });
    for (const [name, value] of Object.entries(scores)) {
      (out[name] ??= new Float64Array(nSamples))[s] = value;
    }
  }
  return out;
}

/** The registry's scores, except ROUGE as the resample's mean F (what rouge_score's bootstrap resamples). */
function naiveScores(resample: MetricInput): Record<string, number> {
  const registry = computeMetrics(["sari", "exact_match", "bleu"], resample);
  const perExample = rouge(resample.predictions, resample.references, {
    useAggregator: false,
    rougeTypes: ["rouge2"],
  }) as RougeScores[];
  let sum = 0;
  for (const scores of perExample) sum += (scores.rouge2 as Triple).fmeasure;
  return {
    sari: registry.sari as number,
    exact_match: registry.exact_match as number,
    bleu: registry.bleu as number,
    rouge2: 100 * (sum / perExample.length),
  };
}

function percentiles(values: Float64Array, confidence: number): { low: number; high: number } {
  const sorted = Float64Array.from(values).sort();
  const delta = (1 - confidence) / 2;
  return { low: percentileSorted(sorted, 100 * delta), high: percentileSorted(sorted, 100 * (1 - delta)) };
}

test("the full-set score is exactly what computeMetrics reports, for every built-in score", () => {
  const names = ["sari", "exact_match", "bleu", "rouge"];
  const registry = computeMetrics(names, INPUT);
  const intervals = bootstrapScores(names, INPUT, { nSamples: 10 });
  assert.deepEqual(Object.keys(intervals), ["sari", "exact_match", "bleu", "rouge1", "rouge2", "rougeL", "rougeLsum"]);
  for (const [name, interval] of Object.entries(intervals)) assert.equal(interval.score, registry[name], name);
  assert.equal(intervals.exact_match?.score, 25);
  // ROUGE's registry value depends on which types share rouge_score's generator; rouge2 alone is another draw.
  assert.equal(
    bootstrapScores(["rouge2"], INPUT, { nSamples: 10 }).rouge2?.score,
    computeMetrics(["rouge2"], INPUT).rouge2,
  );
});

// A weak system, two to four words of the reference and a stray one: some resamples have 4-grams but no 4-gram
// match (BLEU's exp smoothing), some no 4-gram at all (BLEU 0), so those paths are resampled too.
const TERSE: MetricInput = {
  ...INPUT,
  predictions: PREDICTIONS.map(
    (p, i) =>
      `${p
        .split(" ")
        .slice(i % 3, 2 + (i % 3) * 2)
        .join(" ")} indeed`,
  ),
};

test("intervals equal those of re-running each metric on every resampled list (same seed)", () => {
  for (const [input, nSamples, seed, confidence] of [
    [INPUT, 200, 7, 0.95],
    [INPUT, 51, 123, 0.8],
    [TERSE, 200, 11, 0.95],
  ] as const) {
    const fast = bootstrapScores(FOUR, input, { nSamples, seed, confidenceInterval: confidence });
    const naive = naiveResamples(input, nSamples, seed, naiveScores);
    for (const name of FOUR) {
      const expected = percentiles(naive[name] as Float64Array, confidence);
      const got = fast[name] as ScoreInterval;
      assert.equal(got.low, expected.low, `${name} low (seed ${seed})`);
      assert.equal(got.high, expected.high, `${name} high (seed ${seed})`);
      assert.equal(got.samples, nSamples);
    }
  }
});

test("for one ROUGE type the interval is rouge_score's BootstrapAggregator low / high drawn with the same seed", () => {
  const perExample = rouge(PREDICTIONS, REFERENCES, { useAggregator: false, rougeTypes: ["rouge2"] }) as RougeScores[];
  const aggregate = bootstrapAggregate(new Map([["rouge2", perExample.map((s) => s.rouge2 as Triple)]]), { seed: 9 });
  const ours = bootstrapScores(["rouge2"], INPUT, { seed: 9 }).rouge2 as ScoreInterval;
  assert.ok(Math.abs(ours.low - 100 * (aggregate.rouge2?.low.fmeasure as number)) < 1e-9, "low");
  assert.ok(Math.abs(ours.high - 100 * (aggregate.rouge2?.high.fmeasure as number)) < 1e-9, "high");
});

test("every interval contains its score and has width; the same seed repeats it, another seed moves it", () => {
  const a = bootstrapScores(FOUR, INPUT, { seed: 3 });
  for (const [name, interval] of Object.entries(a)) {
    assert.ok(
      interval.low <= interval.score && interval.score <= interval.high,
      `${name}: ${JSON.stringify(interval)}`,
    );
    assert.ok(interval.high - interval.low > 0, `${name} has width`);
    assert.equal(interval.samples, 1000);
  }
  assert.deepEqual(bootstrapScores(FOUR, INPUT, { seed: 3 }), a);
  assert.notDeepEqual(bootstrapScores(FOUR, INPUT, { seed: 4 }), a);
  // A wider confidence never gives a narrower interval on the same resamples.
  const wide = bootstrapScores(["bleu"], INPUT, { seed: 3, confidenceInterval: 0.99 }).bleu as ScoreInterval;
  assert.ok(wide.low <= (a.bleu as ScoreInterval).low && wide.high >= (a.bleu as ScoreInterval).high);
});

test("a constant score has a zero-width interval", () => {
  const perfect = { ...INPUT, predictions: REFERENCES.map((r) => r[0] as string) };
  assert.deepEqual(bootstrapScores(["exact_match"], perfect).exact_match, {
    score: 100,
    low: 100,
    high: 100,
    samples: 1000,
  });
  const none = { ...INPUT, predictions: PREDICTIONS.map(() => "nothing alike") };
  assert.deepEqual(bootstrapScores(["exact_match"], none, { nSamples: 20 }).exact_match, {
    score: 0,
    low: 0,
    high: 0,
    samples: 20,
  });
  // One example: every resample is that example.
  const one = {
    sources: SOURCES.slice(0, 1),
    predictions: PREDICTIONS.slice(0, 1),
    references: REFERENCES.slice(0, 1),
  };
  for (const [name, interval] of Object.entries(bootstrapScores(["sari", "bleu"], one, { nSamples: 5 }))) {
    assert.equal(interval.low, interval.score, name);
    assert.equal(interval.high, interval.score, name);
  }
});

test("a registered metric without sufficient statistics is recomputed on each resample", () => {
  registerMetric({
    name: "score_intervals_test_length",
    scores: ["score_intervals_test_length"],
    compute: ({ predictions, references }) => ({
      score_intervals_test_length:
        (100 * predictions.reduce((sum, p, i) => sum + p.length / (references[i]?.[0] as string).length, 0)) /
        predictions.length,
    }),
  });
  const name = "score_intervals_test_length";
  const fast = bootstrapScores([name, "bleu"], INPUT, { nSamples: 40, seed: 2 });
  const naive = naiveResamples(INPUT, 40, 2, (resample) => ({
    [name]: computeMetrics([name], resample)[name] as number,
  }));
  assert.equal(fast[name]?.score, computeMetrics([name], INPUT)[name]);
  assert.deepEqual({ low: fast[name]?.low, high: fast[name]?.high }, percentiles(naive[name] as Float64Array, 0.95));
});

test("paired: each system's interval is its own bootstrap's, the difference is taken resample by resample", () => {
  const weaker = PREDICTIONS.map((p) => p.split(" ").slice(0, -3).join(" "));
  const options = { nSamples: 100, seed: 5 };
  const paired = pairedBootstrapScores(FOUR, { ...INPUT, baseline: weaker, candidate: PREDICTIONS }, options);
  const baseline = bootstrapScores(FOUR, { ...INPUT, predictions: weaker }, options);
  const candidate = bootstrapScores(FOUR, INPUT, options);
  const naiveBaseline = naiveResamples({ ...INPUT, predictions: weaker }, 100, 5, naiveScores);
  const naiveCandidate = naiveResamples(INPUT, 100, 5, naiveScores);
  for (const name of FOUR) {
    const result = paired[name];
    assert.ok(result !== undefined, name);
    assert.deepEqual(result.baseline, baseline[name], `${name} baseline`);
    assert.deepEqual(result.candidate, candidate[name], `${name} candidate`);
    const differences = (naiveCandidate[name] as Float64Array).map(
      (c, s) => c - ((naiveBaseline[name] as Float64Array)[s] as number),
    );
    assert.deepEqual(
      result.difference,
      { score: result.candidate.score - result.baseline.score, ...percentiles(differences, 0.95), samples: 100 },
      `${name} difference`,
    );
    assert.equal(result.candidateWinRate, differences.filter((d) => d > 0).length / 100, `${name} win rate`);
  }
  // Cutting three tokens off every prediction costs BLEU on every resample.
  assert.equal(paired.bleu?.candidateWinRate, 1);
  assert.ok((paired.bleu?.difference.low as number) > 0);
});

test("paired: a system against itself differs by exactly 0 and never wins", () => {
  const paired = pairedBootstrapScores(
    FOUR,
    { ...INPUT, baseline: PREDICTIONS, candidate: PREDICTIONS },
    { nSamples: 50 },
  );
  for (const [name, result] of Object.entries(paired)) {
    assert.deepEqual(result.difference, { score: 0, low: 0, high: 0, samples: 50 }, name);
    assert.equal(result.candidateWinRate, 0, name);
  }
});

test("unknown names, mismatched lengths, missing sources and bad options are EvaluationErrors naming them", () => {
  assert.throws(
    () => bootstrapScores(["bleu", "meteor"], INPUT),
    (e: unknown) => {
      return (
        isCode("UNKNOWN_METRIC", "metrics")(e) &&
        /"meteor".*registered metrics: rouge, bleu, sari/.test((e as Error).message)
      );
    },
  );
  assert.throws(() => bootstrapScores([], INPUT), isCode("INVALID_ARGUMENT", "metrics"));
  assert.throws(
    () => bootstrapScores(["bleu"], { ...INPUT, references: REFERENCES.slice(1) }),
    (e: unknown) =>
      isCode("LENGTH_MISMATCH", "references")(e) &&
      /references has 7 elements but predictions has 8/.test((e as Error).message),
  );
  assert.throws(
    () => bootstrapScores(["bleu"], { ...INPUT, sources: SOURCES.slice(1) }),
    isCode("LENGTH_MISMATCH", "sources"),
  );
  assert.throws(
    () => bootstrapScores(["sari"], { predictions: PREDICTIONS, references: REFERENCES }),
    isCode("INVALID_ARGUMENT", "sources"),
  );
  assert.throws(
    () => bootstrapScores(["bleu"], { predictions: [], references: [], sources: [] }),
    isCode("EMPTY_INPUT", "predictions"),
  );
  assert.throws(
    () => bootstrapScores(["bleu"], { ...INPUT, references: [...REFERENCES.slice(1), []] }),
    isCode("EMPTY_REFERENCE", "references"),
  );
  assert.throws(() => bootstrapScores(["bleu"], INPUT, { nSamples: 0 }), isCode("INVALID_OPTION", "options.nSamples"));
  assert.throws(() => bootstrapScores(["bleu"], INPUT, { seed: -1 }), isCode("INVALID_OPTION", "options.seed"));
  assert.throws(
    () => bootstrapScores(["bleu"], INPUT, { confidenceInterval: 1.5 }),
    isCode("INVALID_OPTION", "options.confidenceInterval"),
  );
  assert.throws(
    () => pairedBootstrapScores(["bleu"], { ...INPUT, baseline: PREDICTIONS, candidate: PREDICTIONS.slice(1) }),
    isCode("LENGTH_MISMATCH", "candidate"),
  );
  assert.throws(
    () =>
      pairedBootstrapScores(["bleu"], {
        ...INPUT,
        baseline: PREDICTIONS,
        candidate: [...PREDICTIONS.slice(1), 3] as never,
      }),
    isCode("INVALID_ARGUMENT", "candidate"),
  );
});
