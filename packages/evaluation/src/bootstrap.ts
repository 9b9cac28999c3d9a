/**
 * The bootstrap confidence interval of rouge_score's `scoring.BootstrapAggregator`, which Hugging Face's
 * `rouge` metric reports the `.mid` of: resample the examples with replacement `nSamples` times, take the
 * mean of each column (precision, recall, F) per resample, and report numpy's linear-interpolation
 * percentiles (1-ci)/2, 50 and 1-(1-ci)/2 of those means as low / mid / high.
 *
 * rouge_score draws indices with numpy's global Mersenne-Twister (`np.random.choice`); that stream cannot
 * be reproduced here bit for bit, so intervals agree with Python only statistically (to roughly the
 * bootstrap's own noise). Instead the generator is seeded and documented: the project's `SeededRandom`
 * (@warmstart/core: xoshiro128** with its 128-bit state filled by splitmix32 from a 32-bit seed), and bounded
 * integers drawn by rejection so every index is equally likely. The same seed always gives the same interval.
 */

import { SeededRandom } from "@warmstart/core";
import { EvaluationError } from "./errors.js";

export interface Triple {
  precision: number;
  recall: number;
  fmeasure: number;
}

export interface AggregateTriple {
  low: Triple;
  mid: Triple;
  high: Triple;
}

export interface BootstrapOptions {
  /** Width of the interval; rouge_score's default 0.95. 0 makes low = mid = high = the median of means. */
  confidenceInterval?: number;
  /** Number of resamples; rouge_score's default 1000. */
  nSamples?: number;
  /** Seed of the generator (an unsigned 32-bit integer); default 0. */
  seed?: number;
}

/** numpy.percentile with the default "linear" method, on an ascending-sorted array; q in [0, 100]. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const position = (q / 100) * (n - 1);
  const lowerIndex = Math.floor(position);
  const upperIndex = Math.min(lowerIndex + 1, n - 1);
  const t = position - lowerIndex;
  const a = sorted[lowerIndex] as number;
  const b = sorted[upperIndex] as number;
  // numpy's _lerp: interpolate from the nearer end so that t = 1 returns b exactly.
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

export function validateBootstrapOptions(options: BootstrapOptions): Required<BootstrapOptions> {
  const confidenceInterval = options.confidenceInterval ?? 0.95;
  const nSamples = options.nSamples ?? 1000;
  const seed = options.seed ?? 0;
  if (!(confidenceInterval >= 0 && confidenceInterval <= 1)) {
    throw new EvaluationError(
      "INVALID_OPTION",
      `options.confidenceInterval must lie in [0, 1], got ${confidenceInterval}`,
      {
        argument: "options.confidenceInterval",
      },
    );
  }
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new EvaluationError("INVALID_OPTION", `options.nSamples must be a positive integer, got ${nSamples}`, {
      argument: "options.nSamples",
    });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new EvaluationError("INVALID_OPTION", `options.seed must be an integer in [0, 2^32), got ${seed}`, {
      argument: "options.seed",
    });
  }
  return { confidenceInterval, nSamples, seed };
}

/**
 * Bootstrap intervals for several named score columns (e.g. one per ROUGE type). One generator is shared
 * and the types are resampled in the order given, as rouge_score does with numpy's global generator.
 */
export function bootstrapAggregate(
  scores: ReadonlyMap<string, readonly Triple[]>,
  options: BootstrapOptions = {},
): Record<string, AggregateTriple> {
  const { confidenceInterval, nSamples, seed } = validateBootstrapOptions(options);
  const rng = new SeededRandom(seed);
  const delta = (1 - confidenceInterval) / 2;
  const quantiles = [100 * delta, 50, 100 * (1 - delta)] as const;
  const result: Record<string, AggregateTriple> = {};
  for (const [name, rows] of scores) {
    const n = rows.length;
    if (n === 0) {
      throw new EvaluationError(
        "EMPTY_INPUT",
        `no ${name} scores to aggregate: the bootstrap needs at least one example`,
        {
          argument: "scores",
        },
      );
    }
    const p = Float64Array.from(rows, (r) => r.precision);
    const r = Float64Array.from(rows, (row) => row.recall);
    const f = Float64Array.from(rows, (row) => row.fmeasure);
    const meansP = new Float64Array(nSamples);
    const meansR = new Float64Array(nSamples);
    const meansF = new Float64Array(nSamples);
    for (let s = 0; s < nSamples; s++) {
      let sp = 0;
      let sr = 0;
      let sf = 0;
      for (let i = 0; i < n; i++) {
        const k = rng.int(n);
        sp += p[k] as number;
        sr += r[k] as number;
        sf += f[k] as number;
      }
      meansP[s] = sp / n;
      meansR[s] = sr / n;
      meansF[s] = sf / n;
    }
    meansP.sort();
    meansR.sort();
    meansF.sort();
    const at = (j: 0 | 1 | 2): Triple => ({
      precision: percentileSorted(meansP, quantiles[j]),
      recall: percentileSorted(meansR, quantiles[j]),
      fmeasure: percentileSorted(meansF, quantiles[j]),
    });
    result[name] = { low: at(0), mid: at(1), high: at(2) };
  }
  return result;
}
