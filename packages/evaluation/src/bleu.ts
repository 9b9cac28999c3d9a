/**
 * BLEU as sacreBLEU 2.x computes it (`sacrebleu.metrics.bleu.BLEU`): corpus BLEU from summed sufficient
 * statistics (clipped n-gram matches against the per-n-gram maximum over references, closest reference
 * length with ties to the shorter), its brevity penalty, and its four smoothing methods (Chen & Cherry
 * 2014): `none`, `floor` (method 1, default 0.1), `add-k` (method 2, default 1), `exp` (method 3, NIST).
 * Scores are on sacreBLEU's 0-100 scale.
 */
import { BLEU_TOKENIZERS, getBleuTokenizer, type BleuTokenizerName } from "./bleu-tokenizers.js";
import { EvaluationError } from "./errors.js";
import { pyRstrip, pySplit } from "./python-text.js";
import {
  assertNonEmpty,
  assertOptionalBoolean,
  assertReferenceLists,
  assertSameLength,
  assertStringArray,
} from "./validate.js";

export type SmoothMethod = "exp" | "none" | "floor" | "add-k";

/** sacreBLEU's `BLEU.SMOOTH_DEFAULTS`: the value used when `smoothValue` is not given. */
export const SMOOTH_DEFAULTS: Readonly<Record<SmoothMethod, number | undefined>> = {
  none: undefined,
  floor: 0.1,
  "add-k": 1,
  exp: undefined,
};

export interface BleuOptions {
  /** Default "13a". */
  tokenize?: BleuTokenizerName;
  /** Default "exp". */
  smoothMethod?: SmoothMethod;
  /** For floor and add-k; default from SMOOTH_DEFAULTS. */
  smoothValue?: number;
  /** Lower-case hypotheses and references before tokenizing; default false. */
  lowercase?: boolean;
  /** Default 4. */
  maxNgramOrder?: number;
  /** Average only the orders that have n-grams; default false for `bleu`, true for `sentenceBleu`. */
  effectiveOrder?: boolean;
}

export interface BleuScore {
  /** BLEU, 0-100. */
  score: number;
  /** Matched n-grams per order (after add-k smoothing when that method applied, as sacreBLEU reports). */
  counts: number[];
  /** Hypothesis n-grams per order (idem). */
  totals: number[];
  /** n-gram precisions, 0-100. */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  sysLen: number;
  refLen: number;
}

export interface BleuResult extends BleuScore {
  /** sacreBLEU's reproducibility signature without its version field, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp`. */
  signature: string;
}

/** Summed sufficient statistics of a corpus. */
export interface BleuStatistics {
  sysLen: number;
  refLen: number;
  correct: number[];
  total: number[];
}

/** Options with every default filled in and checked. */
export interface BleuConfig {
  tokenize: BleuTokenizerName;
  smoothMethod: SmoothMethod;
  smoothValue: number | undefined;
  lowercase: boolean;
  maxNgramOrder: number;
  effectiveOrder: boolean;
}

export function resolveBleuOptions(options: BleuOptions, effectiveOrderDefault: boolean): BleuConfig {
  const tokenize = options.tokenize ?? "13a";
  if (!BLEU_TOKENIZERS.includes(tokenize)) {
    throw new EvaluationError(
      "INVALID_OPTION",
      `options.tokenize is ${JSON.stringify(tokenize)}; expected one of ${BLEU_TOKENIZERS.join(", ")}`,
      { argument: "options.tokenize" },
    );
  }
  const smoothMethod = options.smoothMethod ?? "exp";
  if (!Object.hasOwn(SMOOTH_DEFAULTS, smoothMethod)) {
    throw new EvaluationError(
      "INVALID_OPTION",
      `options.smoothMethod is ${JSON.stringify(smoothMethod)}; expected exp, none, floor or add-k`,
      { argument: "options.smoothMethod" },
    );
  }
  const smoothValue = options.smoothValue;
  if (
    smoothValue !== undefined &&
    !(typeof smoothValue === "number" && Number.isFinite(smoothValue) && smoothValue >= 0)
  ) {
    throw new EvaluationError(
      "INVALID_OPTION",
      `options.smoothValue must be a finite number >= 0, got ${String(smoothValue)}`,
      {
        argument: "options.smoothValue",
      },
    );
  }
  const maxNgramOrder = options.maxNgramOrder ?? 4;
  if (!Number.isInteger(maxNgramOrder) || maxNgramOrder < 1) {
    throw new EvaluationError(
      "INVALID_OPTION",
      `options.maxNgramOrder must be a positive integer, got ${String(maxNgramOrder)}`,
      {
        argument: "options.maxNgramOrder",
      },
    );
  }
  assertOptionalBoolean(options.lowercase, "options.lowercase");
  assertOptionalBoolean(options.effectiveOrder, "options.effectiveOrder");
  return {
    tokenize,
    smoothMethod,
    smoothValue,
    lowercase: options.lowercase ?? false,
    maxNgramOrder,
    effectiveOrder: options.effectiveOrder ?? effectiveOrderDefault,
  };
}

// sacreBLEU's my_log: log(0) is a large negative number rather than -Infinity, so a zero precision
// gives a score of exactly 0 instead of NaN.
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/**
 * sacreBLEU's `BLEU.compute_bleu`: the score from sufficient statistics. Like sacreBLEU, the smoothing
 * method defaults to "none" here (`bleu` and `sentenceBleu` default to "exp").
 */
export function computeBleu(
  statistics: BleuStatistics,
  options: { smoothMethod?: SmoothMethod; smoothValue?: number; effectiveOrder?: boolean; maxNgramOrder?: number } = {},
): BleuScore {
  const smoothMethod = options.smoothMethod ?? "none";
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const maxOrder = options.maxNgramOrder ?? statistics.correct.length;
  const effectiveOrder = options.effectiveOrder ?? false;
  const correct = statistics.correct.slice(0, maxOrder);
  const total = statistics.total.slice(0, maxOrder);
  const { sysLen, refLen } = statistics;

  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  // sacreBLEU issue #141: no match at any order means 0, whatever the smoothing.
  if (!correct.some((c) => c !== 0)) {
    return { score: 0, counts: correct, totals: total, precisions, bp, sysLen, refLen };
  }
  let smoothMteval = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (smoothMethod === "add-k" && n > 1) {
      correct[n - 1] = (correct[n - 1] as number) + smoothValue;
      total[n - 1] = (total[n - 1] as number) + smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (effectiveOrder) effOrder = n;
    const c = correct[n - 1] as number;
    const t = total[n - 1] as number;
    if (c === 0) {
      if (smoothMethod === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * t);
      } else if (smoothMethod === "floor") {
        precisions[n - 1] = (100 * smoothValue) / t;
      }
    } else {
      precisions[n - 1] = (100 * c) / t;
    }
  }
  let logSum = 0;
  for (let k = 0; k < effOrder; k++) logSum += myLog(precisions[k] as number);
  const score = bp * Math.exp(logSum / effOrder);
  return { score, counts: correct, totals: total, precisions, bp, sysLen, refLen };
}

function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number>[] {
  const byOrder: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      // Tokens come from a whitespace split, so a space-joined key is unambiguous.
      const key = n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join(" ");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    byOrder.push(counts);
  }
  return byOrder;
}

/** Per-segment statistics; construct once per configuration and feed it segments. */
export class BleuStatisticsCollector {
  readonly config: BleuConfig;
  private readonly tokenizer: (line: string) => string;
  /** Distinct reference counts seen, for the signature's `nrefs`. */
  readonly referenceCounts = new Set<number>();
  readonly sums: BleuStatistics;
  segments = 0;

  constructor(config: BleuConfig) {
    this.config = config;
    this.tokenizer = getBleuTokenizer(config.tokenize);
    this.sums = {
      sysLen: 0,
      refLen: 0,
      correct: new Array<number>(config.maxNgramOrder).fill(0),
      total: new Array<number>(config.maxNgramOrder).fill(0),
    };
  }

  private preprocess(text: string): string[] {
    const cased = this.config.lowercase ? text.toLowerCase() : text;
    return pySplit(this.tokenizer(pyRstrip(cased)));
  }

  /** Adds one hypothesis with its references; `index` only labels errors. */
  add(prediction: string, references: readonly string[], index: number): void {
    // sacreBLEU keeps an empty-string reference: it counts towards nrefs and is a reference of length 0 (so a
    // corpus whose references are all "" scores 0 rather than failing). Only a missing reference (None in its
    // stream, a shorter list here) is dropped; an example with no reference at all cannot be scored.
    if (references.length === 0) {
      throw new EvaluationError(
        "EMPTY_REFERENCE",
        `references[${index}] lists no references; BLEU needs at least one`,
        {
          argument: "references",
          index,
        },
      );
    }
    this.referenceCounts.add(references.length);
    const maxOrder = this.config.maxNgramOrder;
    const refMax: Map<string, number>[] = Array.from({ length: maxOrder }, () => new Map<string, number>());
    const refLens: number[] = [];
    for (const ref of references) {
      const tokens = this.preprocess(ref);
      refLens.push(tokens.length);
      const counts = ngramCounts(tokens, maxOrder);
      for (let n = 0; n < maxOrder; n++) {
        const merged = refMax[n] as Map<string, number>;
        for (const [gram, count] of counts[n] as Map<string, number>) {
          if (count > (merged.get(gram) ?? 0)) merged.set(gram, count);
        }
      }
    }
    const hyp = this.preprocess(prediction);
    const hypCounts = ngramCounts(hyp, maxOrder);
    const sums = this.sums;
    sums.sysLen += hyp.length;
    sums.refLen += closestRefLen(hyp.length, refLens);
    for (let n = 0; n < maxOrder; n++) {
      const ref = refMax[n] as Map<string, number>;
      for (const [gram, count] of hypCounts[n] as Map<string, number>) {
        sums.total[n] = (sums.total[n] as number) + count;
        const r = ref.get(gram);
        if (r !== undefined) sums.correct[n] = (sums.correct[n] as number) + Math.min(count, r);
      }
    }
    this.segments++;
  }

  result(): BleuResult {
    const { config } = this;
    const score = computeBleu({ ...this.sums, correct: [...this.sums.correct], total: [...this.sums.total] }, config);
    return { ...score, signature: bleuSignature(config, this.referenceCounts) };
  }
}

/** sacreBLEU's `_get_closest_ref_len`: the reference length nearest the hypothesis, the shorter on ties. */
export function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let bestDiff = -1;
  let bestLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      bestLen = len;
    } else if (diff === bestDiff && len < bestLen) {
      bestLen = len;
    }
  }
  return bestLen;
}

/** sacreBLEU's BLEU signature, fields in its order; the `version` field is left out (this is not sacreBLEU). */
export function bleuSignature(config: BleuConfig, referenceCounts: ReadonlySet<number>): string {
  const nrefs = referenceCounts.size === 1 ? String([...referenceCounts][0]) : "var";
  const fallback = SMOOTH_DEFAULTS[config.smoothMethod];
  const smooth =
    fallback === undefined
      ? config.smoothMethod
      : `${config.smoothMethod}[${(config.smoothValue ?? fallback).toFixed(2)}]`;
  return `nrefs:${nrefs}|case:${config.lowercase ? "lc" : "mixed"}|eff:${config.effectiveOrder ? "yes" : "no"}|tok:${config.tokenize}|smooth:${smooth}`;
}

/**
 * sacreBLEU corpus BLEU. `references[i]` lists the references of `predictions[i]` (sacreBLEU takes the
 * transpose, one stream per reference); the number may vary between examples.
 */
export function bleu(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  assertStringArray(predictions, "predictions");
  assertReferenceLists(references, "references");
  assertSameLength({ predictions, references });
  assertNonEmpty(predictions.length, "predictions");
  const collector = new BleuStatisticsCollector(resolveBleuOptions(options, false));
  predictions.forEach((p, i) => collector.add(p, references[i] as readonly string[], i));
  return collector.result();
}

/** sacreBLEU sentence BLEU (`BLEU(...).sentence_score`); effective order is on by default, as in `sacrebleu.sentence_bleu`. */
export function sentenceBleu(prediction: string, references: readonly string[], options: BleuOptions = {}): BleuResult {
  if (typeof prediction !== "string") {
    throw new EvaluationError(
      "INVALID_ARGUMENT",
      `prediction must be a string, got ${prediction === null ? "null" : typeof prediction}`,
      {
        argument: "prediction",
      },
    );
  }
  assertReferenceLists([references], "references");
  const collector = new BleuStatisticsCollector(resolveBleuOptions(options, true));
  collector.add(prediction, references, 0);
  return collector.result();
}
