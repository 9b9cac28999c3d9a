/**
 * Bootstrap confidence intervals for the registry's scores (Koehn 2004, "Statistical significance tests for machine
 * translation evaluation"): resample the test examples with replacement, score each resample, and report the
 * percentile interval of those scores next to the score of the full set.
 *
 * Re-running a metric on every resample would tokenize and count every example a thousand times over. Instead each
 * built-in metric is reduced once to per-example sufficient statistics whose sum over any multiset of examples
 * gives that multiset's score exactly:
 *
 * - `bleu`: sacreBLEU's per-segment statistics (hypothesis length, closest reference length, matched and total
 *   n-grams per order); a resample's BLEU is `computeBleu` of the summed rows, as sacreBLEU's `--confidence` and
 *   paired bootstrap recompute it (`_compute_score_from_stats` of `stats[idxs].sum(0)`).
 * - `sari`: Hugging Face `evaluate`'s corpus SARI is `100 * (sum of SARIsent / n)` (`Sari._compute`), so the row
 *   is the sentence SARI.
 * - `exact_match`: 1 or 0 per example (first reference, as the registry scores it).
 * - `rouge1` … `rougeLsum`: rouge_score's `BootstrapAggregator` resamples per-example F-measures and takes their
 *   mean, so the row is the example's F (best reference, as `score_multi`). The registry's ROUGE is not that mean
 *   but the median of 1000 bootstrap means drawn with seed 0 (Hugging Face reports `mid`), so the full-set score
 *   reported here is computed exactly that way, and only the interval comes from this module's resamples.
 *
 * Any other registered metric is resampled the slow way: its `compute` runs once per resample on the resampled
 * lists.
 *
 * One generator (`SeededRandom`) draws the indices of each resample once, and every metric — and, for
 * `pairedBootstrapScores`, both systems — is scored on that same resample: the intervals are paired.
 */
import { SeededRandom } from "@warmstart/core";
import { BleuStatisticsCollector, computeBleu, resolveBleuOptions, type BleuConfig } from "./bleu.js";
import {
  bootstrapAggregate,
  percentileSorted,
  validateBootstrapOptions,
  type BootstrapOptions,
  type Triple,
} from "./bootstrap.js";
import { EvaluationError } from "./errors.js";
import { exactMatchNormalizer, isExactMatch } from "./exact-match.js";
import { computeMetrics, selectMetrics, type MetricInput, type MetricSelection } from "./registry.js";
import { RougeScorer, scoreRougeExamples, type RougeType } from "./rouge.js";
import { sariSentence } from "./sari.js";
import { assertNonEmpty, assertReferenceLists, assertSameLength, assertStringArray } from "./validate.js";

/** One score with its bootstrap interval, on the registry's 0-100 scale. */
export interface ScoreInterval {
  /** The score of the full set: exactly what `computeMetrics` reports for it. */
  score: number;
  /** The `(1 - confidenceInterval) / 2` percentile of the resampled scores (numpy's linear interpolation). */
  low: number;
  /** The `(1 + confidenceInterval) / 2` percentile of the resampled scores. */
  high: number;
  /** How many resamples the interval is drawn from. */
  samples: number;
}

/** Two systems scored on the same resamples (paired bootstrap). */
export interface PairedScoreInterval {
  baseline: ScoreInterval;
  candidate: ScoreInterval;
  /** candidate − baseline: the difference of the full-set scores, and its interval over the shared resamples. */
  difference: ScoreInterval;
  /**
   * The share of resamples on which the candidate scores strictly higher than the baseline (Koehn 2004: a
   * candidate better on at least 95% of resamples is better with 95% confidence). Every registry score is
   * higher-is-better.
   */
  candidateWinRate: number;
}

/** The examples of two systems: the same references (and sources) for both. */
export interface PairedBootstrapInput {
  baseline: readonly string[];
  candidate: readonly string[];
  references: readonly (readonly string[])[];
  sources?: readonly string[] | undefined;
}

/** A metric reduced to what a resample needs. */
interface ResampledMetric {
  /** Score names, in the order `resample` writes them. */
  readonly scores: readonly string[];
  /** Full-set scores, in `scores` order, exactly as `computeMetrics` gives them. */
  readonly full: readonly number[];
  /** Writes the scores of the resample `indices` (example indices, repeats allowed) into `out`. */
  resample(indices: Int32Array, out: Float64Array): void;
}

/** Per-example rows of `width` numbers, summed over a resample's indices in the order drawn. */
class ExampleRows {
  readonly count: number;
  readonly width: number;
  readonly rows: Float64Array;
  private readonly sums: Float64Array;

  constructor(count: number, width: number) {
    this.count = count;
    this.width = width;
    this.rows = new Float64Array(count * width);
    this.sums = new Float64Array(width);
  }

  /** Sums of the rows at `indices`; the array is reused by the next call. */
  sum(indices: Int32Array): Float64Array {
    const { rows, sums, width } = this;
    sums.fill(0);
    for (let i = 0; i < indices.length; i++) {
      const base = (indices[i] as number) * width;
      for (let j = 0; j < width; j++) sums[j] = (sums[j] as number) + (rows[base + j] as number);
    }
    return sums;
  }

  /** Sums over every example, in order. */
  sumAll(): Float64Array {
    const all = new Int32Array(this.count);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return Float64Array.from(this.sum(all));
  }
}

function bleuScoreOfSums(sums: Float64Array, config: BleuConfig): number {
  const order = config.maxNgramOrder;
  return computeBleu(
    {
      sysLen: sums[0] as number,
      refLen: sums[1] as number,
      correct: Array.from(sums.subarray(2, 2 + order)),
      total: Array.from(sums.subarray(2 + order, 2 + 2 * order)),
    },
    config,
  ).score;
}

function resampledBleu(input: SystemInput): ResampledMetric {
  // The registry's `bleu` is `bleu()` with sacreBLEU's defaults; the same configuration scores every resample.
  const config = resolveBleuOptions({}, false);
  const order = config.maxNgramOrder;
  const rows = new ExampleRows(input.predictions.length, 2 + 2 * order);
  input.predictions.forEach((prediction, i) => {
    const collector = new BleuStatisticsCollector(config);
    collector.add(prediction, input.references[i] as readonly string[], i);
    const { sysLen, refLen, correct, total } = collector.sums;
    const base = i * rows.width;
    rows.rows[base] = sysLen;
    rows.rows[base + 1] = refLen;
    for (let n = 0; n < order; n++) {
      rows.rows[base + 2 + n] = correct[n] as number;
      rows.rows[base + 2 + order + n] = total[n] as number;
    }
  });
  return {
    scores: ["bleu"],
    full: [bleuScoreOfSums(rows.sumAll(), config)],
    resample(indices, out) {
      out[0] = bleuScoreOfSums(rows.sum(indices), config);
    },
  };
}

/** A score that is 100 × the mean of one number per example, summed in drawing order as the metric sums. */
function resampledMean(name: string, perExample: Float64Array): ResampledMetric {
  const rows = new ExampleRows(perExample.length, 1);
  rows.rows.set(perExample);
  const mean = (sums: Float64Array, n: number): number => 100 * ((sums[0] as number) / n);
  return {
    scores: [name],
    full: [mean(rows.sumAll(), perExample.length)],
    resample(indices, out) {
      out[0] = mean(rows.sum(indices), indices.length);
    },
  };
}

function resampledSari(input: SystemInput): ResampledMetric {
  const sources = input.sources as readonly string[];
  const perExample = Float64Array.from(input.predictions, (prediction, i) =>
    sariSentence(sources[i] as string, prediction, input.references[i] as readonly string[]),
  );
  return resampledMean("sari", perExample);
}

function resampledExactMatch(input: SystemInput): ResampledMetric {
  const normalize = exactMatchNormalizer({});
  const perExample = Float64Array.from(input.predictions, (prediction, i) =>
    isExactMatch(prediction, (input.references[i] as readonly string[])[0] as string, normalize) ? 1 : 0,
  );
  return resampledMean("exact_match", perExample);
}

function resampledRouge(input: SystemInput, types: readonly RougeType[]): ResampledMetric {
  const perExample = scoreRougeExamples(new RougeScorer({ rougeTypes: types }), input.predictions, input.references);
  const n = perExample.length;
  // The registry's value: rouge_score's aggregate with its defaults (seed 0, 1000 resamples, one generator shared
  // by the types in this order), whose `mid` F it reports.
  const columns = new Map(types.map((t) => [t, perExample.map((scores) => scores[t] as Triple)]));
  const aggregate = bootstrapAggregate(columns, {});
  const rows = new ExampleRows(n, types.length);
  types.forEach((t, j) => {
    (columns.get(t) as Triple[]).forEach((triple, i) => {
      rows.rows[i * types.length + j] = triple.fmeasure;
    });
  });
  return {
    scores: types,
    full: types.map((t) => 100 * (aggregate[t]?.mid.fmeasure as number)),
    resample(indices, out) {
      const sums = rows.sum(indices);
      for (let j = 0; j < types.length; j++) out[j] = 100 * ((sums[j] as number) / indices.length);
    },
  };
}

/** A registered metric without sufficient statistics: its own `compute` on each resampled list. */
function resampledByRecomputing(input: SystemInput, selection: MetricSelection): ResampledMetric {
  const scores = selection.scores;
  const valuesOf = (result: Record<string, number | string>): number[] => scores.map((s) => result[s] as number);
  const n = input.predictions.length;
  const predictions = new Array<string>(n);
  const references = new Array<readonly string[]>(n);
  const sources = input.sources === undefined ? undefined : new Array<string>(n);
  return {
    scores,
    full: valuesOf(computeMetrics(scores, input)),
    resample(indices, out) {
      for (let i = 0; i < n; i++) {
        const k = indices[i] as number;
        predictions[i] = input.predictions[k] as string;
        references[i] = input.references[k] as readonly string[];
        if (sources !== undefined) sources[i] = (input.sources as readonly string[])[k] as string;
      }
      valuesOf(computeMetrics(scores, { predictions, references, sources })).forEach((v, j) => {
        out[j] = v;
      });
    },
  };
}

interface SystemInput {
  predictions: readonly string[];
  references: readonly (readonly string[])[];
  sources: readonly string[] | undefined;
}

function resampledMetrics(selections: readonly MetricSelection[], input: SystemInput): ResampledMetric[] {
  return selections.map((selection) => {
    switch (selection.metric.name) {
      case "bleu":
        return resampledBleu(input);
      case "sari":
        return resampledSari(input);
      case "exact_match":
        return resampledExactMatch(input);
      case "rouge":
        return resampledRouge(input, selection.scores as RougeType[]);
      default:
        return resampledByRecomputing(input, selection);
    }
  });
}

/** Resolves names and checks the input as `computeMetrics` would, before any work. */
function prepare(
  metrics: readonly string[],
  predictionLists: Record<string, readonly string[]>,
  references: readonly (readonly string[])[],
  sources: readonly string[] | undefined,
): MetricSelection[] {
  const selections = selectMetrics(metrics);
  for (const [name, predictions] of Object.entries(predictionLists)) assertStringArray(predictions, name);
  assertReferenceLists(references, "references");
  if (sources !== undefined) assertStringArray(sources, "sources");
  const needsSources = selections.find((s) => s.metric.needsSources === true);
  if (needsSources !== undefined && sources === undefined) {
    throw new EvaluationError(
      "INVALID_ARGUMENT",
      `${needsSources.metric.name} compares predictions with the sources as well as the references: pass sources`,
      { argument: "sources" },
    );
  }
  const [firstName, first] = Object.entries(predictionLists)[0] as [string, readonly string[]];
  assertSameLength({ ...predictionLists, references, ...(sources === undefined ? {} : { sources }) });
  assertNonEmpty(first.length, firstName);
  return selections;
}

/**
 * Draws `nSamples` resamples of `n` examples and scores every system's metrics on each: `values[system][score]`
 * holds one score per resample, scores in the metrics' order.
 */
function drawResamples(
  systems: readonly (readonly ResampledMetric[])[],
  n: number,
  nSamples: number,
  seed: number,
): Float64Array[][] {
  const rng = new SeededRandom(seed);
  const indices = new Int32Array(n);
  const values = systems.map((metrics) => metrics.flatMap((m) => m.scores.map(() => new Float64Array(nSamples))));
  const out = new Float64Array(Math.max(...systems.flatMap((metrics) => metrics.map((m) => m.scores.length))));
  for (let s = 0; s < nSamples; s++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    systems.forEach((metrics, system) => {
      let column = 0;
      for (const metric of metrics) {
        metric.resample(indices, out);
        for (let j = 0; j < metric.scores.length; j++) {
          (values[system]?.[column++] as Float64Array)[s] = out[j] as number;
        }
      }
    });
  }
  return values;
}

function interval(score: number, resampled: Float64Array, confidenceInterval: number): ScoreInterval {
  const sorted = Float64Array.from(resampled).sort();
  const delta = (1 - confidenceInterval) / 2;
  return {
    score,
    low: percentileSorted(sorted, 100 * delta),
    high: percentileSorted(sorted, 100 * (1 - delta)),
    samples: sorted.length,
  };
}

/**
 * Each named score (metric names give all their scores, as in `computeMetrics`) with a bootstrap confidence
 * interval over the examples: `{ bleu: { score, low, high, samples }, … }` on the 0-100 scale. `score` is exactly
 * `computeMetrics(metrics, input)`'s value; `low` / `high` are the percentiles of the scores of `nSamples`
 * resamples (default 1000) drawn with replacement by `SeededRandom(seed)` (default 0), at `confidenceInterval`
 * (default 0.95). The same seed and input always give the same intervals, and the same seed and example count
 * draw the same resamples, so two systems' intervals from one seed are paired.
 *
 * Errors (`EvaluationError`): `UNKNOWN_METRIC` for a name the registry does not know, `LENGTH_MISMATCH` naming the
 * array whose length differs from `predictions`', `INVALID_ARGUMENT` for SARI without `sources`, `EMPTY_INPUT`
 * for no examples, `INVALID_OPTION` naming a bad option.
 */
export function bootstrapScores(
  metrics: readonly string[],
  input: MetricInput,
  options: BootstrapOptions = {},
): Record<string, ScoreInterval> {
  const { confidenceInterval, nSamples, seed } = validateBootstrapOptions(options);
  const selections = prepare(metrics, { predictions: input.predictions }, input.references, input.sources);
  const resampled = resampledMetrics(selections, {
    predictions: input.predictions,
    references: input.references,
    sources: input.sources,
  });
  const [values] = drawResamples([resampled], input.predictions.length, nSamples, seed);
  const result: Record<string, ScoreInterval> = {};
  let column = 0;
  for (const metric of resampled) {
    metric.scores.forEach((name, j) => {
      result[name] = interval(metric.full[j] as number, values?.[column++] as Float64Array, confidenceInterval);
    });
  }
  return result;
}

/**
 * Paired bootstrap of two systems on the same examples: both are scored on the same resamples, so besides each
 * system's interval (as `bootstrapScores` with the same options gives it) this reports the interval of their
 * difference (candidate − baseline) and the share of resamples the candidate wins. A difference interval that
 * excludes 0 says more than two intervals that merely fail to overlap: overlapping intervals can still hide a
 * consistent difference, because both systems move together from one resample to the next.
 */
export function pairedBootstrapScores(
  metrics: readonly string[],
  input: PairedBootstrapInput,
  options: BootstrapOptions = {},
): Record<string, PairedScoreInterval> {
  const { confidenceInterval, nSamples, seed } = validateBootstrapOptions(options);
  const selections = prepare(
    metrics,
    { baseline: input.baseline, candidate: input.candidate },
    input.references,
    input.sources,
  );
  const system = (predictions: readonly string[]): ResampledMetric[] =>
    resampledMetrics(selections, { predictions, references: input.references, sources: input.sources });
  const baseline = system(input.baseline);
  const candidate = system(input.candidate);
  const [baselineValues, candidateValues] = drawResamples(
    [baseline, candidate],
    input.baseline.length,
    nSamples,
    seed,
  ) as [Float64Array[], Float64Array[]];
  const result: Record<string, PairedScoreInterval> = {};
  let column = 0;
  baseline.forEach((metric, m) => {
    metric.scores.forEach((name, j) => {
      const b = baselineValues[column] as Float64Array;
      const c = candidateValues[column] as Float64Array;
      column++;
      const differences = c.map((value, s) => value - (b[s] as number));
      const baselineScore = metric.full[j] as number;
      const candidateScore = (candidate[m] as ResampledMetric).full[j] as number;
      result[name] = {
        baseline: interval(baselineScore, b, confidenceInterval),
        candidate: interval(candidateScore, c, confidenceInterval),
        difference: interval(candidateScore - baselineScore, differences, confidenceInterval),
        candidateWinRate: differences.filter((d) => d > 0).length / nSamples,
      };
    });
  });
  return result;
}
