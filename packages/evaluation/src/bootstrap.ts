/**
 * The bootstrap confidence interval of rouge_score's `scoring.BootstrapAggregator`, which Hugging Face's
 * `rouge` metric reports the `.mid` of: resample the examples with replacement `nSamples` times, take the
 * mean of each column (precision, recall, F) per resample, and report numpy's linear-interpolation
 * percentiles (1-ci)/2, 50 and 1-(1-ci)/2 of those means as low / mid / high.
 *
 * rouge_score draws indices with numpy's global Mersenne-Twister (`np.random.choice`); that stream cannot
 * be reproduced here bit for bit, so intervals agree with Python only statistically (to roughly the
 * bootstrap's own noise). Instead the generator is seeded and documented: xoshiro128** (Blackman & Vigna)
 * with its 128-bit state filled by splitmix32 from a 32-bit seed, and bounded integers drawn by rejection so
 * every index is equally likely. The same seed always gives the same interval.
 */

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

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** xoshiro128**: 32-bit outputs, period 2^128 - 1. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      words.push(out);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    // splitmix32 cannot give four zero words in a row, but an all-zero state would be stuck at zero.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  private boundN = 0;
  private boundLimit = 0;

  /** A uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias. */
  nextBelow(n: number): number {
    // Draws outside the largest multiple of n below 2^32 are rejected; the bound is reused for repeated n.
    if (n !== this.boundN) {
      this.boundN = n;
      this.boundLimit = Math.floor(0x1_0000_0000 / n) * n;
    }
    const limit = this.boundLimit;
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
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
  const rng = new Xoshiro128(seed);
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
        const k = rng.nextBelow(n);
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
