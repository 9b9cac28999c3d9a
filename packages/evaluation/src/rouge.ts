/**
 * ROUGE as Google's `rouge_score` computes it (the package Hugging Face's `rouge` metric wraps):
 * its default tokenizer (lower-case, every non-[a-z0-9] character to a space, tokens of [a-z0-9]+ only),
 * the NLTK Porter stemmer on tokens longer than 3 characters when `useStemmer` is set, ROUGE-N on n-gram
 * counts, ROUGE-L on the LCS, and ROUGE-Lsum as the summary-level union LCS (Lin 2004, section 3.2) over
 * newline-separated sentences, with ROUGE-1.5.5's guard against counting a token twice.
 */
import { bootstrapAggregate, type AggregateTriple, type BootstrapOptions, type Triple } from "./bootstrap.js";
import { EvaluationError } from "./errors.js";
import { findUnion, lcsIndices, lcsLength } from "./lcs.js";
import { PorterStemmer } from "./porter-stemmer.js";
import { assertNonEmpty, assertOptionalBoolean, assertSameLength, assertStringArray } from "./validate.js";

type Digit = "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
export type RougeType = `rouge${Digit}` | "rougeL" | "rougeLsum";
export type RougeScores = Partial<Record<RougeType, Triple>>;
export type RougeAggregate = Partial<Record<RougeType, AggregateTriple>>;

/** A custom tokenizer replaces the default one; as in rouge_score, `useStemmer` is then ignored. */
export type RougeTokenizer = (text: string) => readonly string[];

export interface RougeScorerOptions {
  /** Default: all four of rouge1, rouge2, rougeL, rougeLsum (Hugging Face's default). */
  rougeTypes?: readonly RougeType[];
  useStemmer?: boolean;
  tokenizer?: RougeTokenizer;
}

export interface RougeOptions extends RougeScorerOptions, BootstrapOptions {
  /** true (default, as Hugging Face): bootstrap low / mid / high per type; false: one score per example. */
  useAggregator?: boolean;
}

export const DEFAULT_ROUGE_TYPES: readonly RougeType[] = ["rouge1", "rouge2", "rougeL", "rougeLsum"];

const NON_ALPHANUMERIC = /[^a-z0-9]+/g;
const VALID_TOKEN = /^[a-z0-9]+$/;
// Stemming dominates tokenizing time; corpora repeat words, so stems are memoised up to this many words.
const STEM_CACHE_LIMIT = 100_000;

/** rouge_score's `tokenize.tokenize`; pass a stem function to stem tokens longer than 3 characters. */
export function tokenizeForRouge(text: string, stem?: (word: string) => string): string[] {
  const pieces = text.toLowerCase().replace(NON_ALPHANUMERIC, " ").split(" ");
  const tokens: string[] = [];
  for (const piece of pieces) {
    const token = stem !== undefined && piece.length > 3 ? stem(piece) : piece;
    if (VALID_TOKEN.test(token)) tokens.push(token);
  }
  return tokens;
}

export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

const ZERO: Triple = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    // Tokens never contain a space, so joining with one keeps distinct n-grams distinct.
    const key = n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** `_score_ngrams`: clipped overlap over prediction (precision) and target (recall) n-gram counts. */
export function scoreNgrams(target: readonly string[], prediction: readonly string[], n: number): Triple {
  const targetCounts = ngramCounts(target, n);
  const predictionCounts = ngramCounts(prediction, n);
  let overlap = 0;
  for (const [gram, count] of targetCounts) overlap += Math.min(count, predictionCounts.get(gram) ?? 0);
  const targetTotal = Math.max(0, target.length - n + 1);
  const predictionTotal = Math.max(0, prediction.length - n + 1);
  const precision = overlap / Math.max(predictionTotal, 1);
  const recall = overlap / Math.max(targetTotal, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Token strings to small integers so LCS tables compare numbers. */
class Interner {
  private readonly ids = new Map<string, number>();
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(token, id);
      }
      out[i] = id;
    }
    return out;
  }
}

/**
 * ROUGE-L and ROUGE-Lsum refuse an example whose target and prediction token counts multiply beyond
 * this (e.g. two texts of 31,623 tokens each): LCS time grows with that product, and a pair of 10 MB
 * texts would run for hours. Summaries and documents of a few thousand tokens are far below it.
 */
export const MAX_LCS_CELLS = 1e9;

function assertLcsSize(targetTokens: number, predictionTokens: number, type: string): void {
  if (targetTokens * predictionTokens > MAX_LCS_CELLS) {
    throw new EvaluationError(
      "INPUT_TOO_LONG",
      `${type} of a ${targetTokens}-token target and a ${predictionTokens}-token prediction would compare ` +
        `${targetTokens * predictionTokens} token pairs, more than the limit of ${MAX_LCS_CELLS} (MAX_LCS_CELLS); shorten the texts or score them in pieces`,
      { argument: "predictions" },
    );
  }
}

/** `_score_lcs`: ROUGE-L over whole texts. */
export function scoreLcs(target: readonly string[], prediction: readonly string[]): Triple {
  if (target.length === 0 || prediction.length === 0) return { ...ZERO };
  assertLcsSize(target.length, prediction.length, "rougeL");
  const interner = new Interner();
  const length = lcsLength(interner.encode(target), interner.encode(prediction));
  const precision = length / prediction.length;
  const recall = length / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** `_union_lcs`: tokens of `ref` covered by an LCS with any candidate sentence. */
function unionLcs(ref: Int32Array, candidates: readonly Int32Array[]): number[] {
  const union = findUnion(candidates.map((c) => lcsIndices(ref, c)));
  return union.map((i) => ref[i] as number);
}

/** `_summary_level_lcs`: ROUGE-Lsum from tokenized sentences. */
export function summaryLevelLcs(
  targetSentences: readonly (readonly string[])[],
  predictionSentences: readonly (readonly string[])[],
): Triple {
  if (targetSentences.length === 0 || predictionSentences.length === 0) return { ...ZERO };
  const m = targetSentences.reduce((sum, s) => sum + s.length, 0);
  const n = predictionSentences.reduce((sum, s) => sum + s.length, 0);
  if (m === 0 || n === 0) return { ...ZERO };
  assertLcsSize(m, n, "rougeLsum");

  const interner = new Interner();
  const refs = targetSentences.map((s) => interner.encode(s));
  const cans = predictionSentences.map((s) => interner.encode(s));
  // Remaining counts of each token on both sides: a token is a hit at most as often as it occurs in each.
  const remainingRef = new Map<number, number>();
  const remainingCan = new Map<number, number>();
  for (const s of refs) for (const t of s) remainingRef.set(t, (remainingRef.get(t) ?? 0) + 1);
  for (const s of cans) for (const t of s) remainingCan.set(t, (remainingCan.get(t) ?? 0) + 1);

  let hits = 0;
  for (const ref of refs) {
    for (const t of unionLcs(ref, cans)) {
      const c = remainingCan.get(t) ?? 0;
      const r = remainingRef.get(t) ?? 0;
      if (c > 0 && r > 0) {
        hits++;
        remainingCan.set(t, c - 1);
        remainingRef.set(t, r - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function validateRougeTypes(types: unknown): RougeType[] {
  if (!Array.isArray(types)) {
    throw new EvaluationError("INVALID_OPTION", "options.rougeTypes must be an array of ROUGE type names", {
      argument: "options.rougeTypes",
    });
  }
  const out: RougeType[] = [];
  for (let i = 0; i < types.length; i++) {
    const type: unknown = types[i];
    // rouge_score accepts rouge1..rouge9 (one digit, n > 0), rougeL and rougeLsum.
    if (typeof type !== "string" || !/^(rouge[1-9]|rougeL|rougeLsum)$/.test(type)) {
      throw new EvaluationError(
        "UNKNOWN_ROUGE_TYPE",
        `options.rougeTypes[${i}] is ${JSON.stringify(type)}; expected rouge1..rouge9, rougeL or rougeLsum`,
        { argument: "options.rougeTypes", index: i },
      );
    }
    // Types are result keys; a repeat would only count an example twice in the aggregate.
    if (!out.includes(type as RougeType)) out.push(type as RougeType);
  }
  return out;
}

/** Scores one target/prediction pair at a time, like `rouge_scorer.RougeScorer`. */
export class RougeScorer {
  readonly rougeTypes: readonly RougeType[];
  private readonly tokenizeText: (text: string) => readonly string[];

  constructor(options: RougeScorerOptions = {}) {
    this.rougeTypes = validateRougeTypes(options.rougeTypes ?? DEFAULT_ROUGE_TYPES);
    assertOptionalBoolean(options.useStemmer, "options.useStemmer");
    if (options.tokenizer !== undefined) {
      if (typeof options.tokenizer !== "function") {
        throw new EvaluationError("INVALID_OPTION", "options.tokenizer must be a function (text) => string[]", {
          argument: "options.tokenizer",
        });
      }
      this.tokenizeText = options.tokenizer;
    } else if (options.useStemmer === true) {
      const stemmer = new PorterStemmer();
      const cache = new Map<string, string>();
      const stem = (word: string): string => {
        let s = cache.get(word);
        if (s === undefined) {
          if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
          s = stemmer.stem(word);
          cache.set(word, s);
        }
        return s;
      };
      this.tokenizeText = (text) => tokenizeForRouge(text, stem);
    } else {
      this.tokenizeText = (text) => tokenizeForRouge(text);
    }
  }

  /** Scores of `prediction` against `target` (note rouge_score's order: target first). */
  score(target: string, prediction: string): RougeScores {
    const needsWhole = this.rougeTypes.some((t) => t !== "rougeLsum");
    const targetTokens = needsWhole ? this.tokenizeText(target) : [];
    const predictionTokens = needsWhole ? this.tokenizeText(prediction) : [];
    const result: RougeScores = {};
    for (const type of this.rougeTypes) {
      if (type === "rougeL") result[type] = scoreLcs(targetTokens, predictionTokens);
      else if (type === "rougeLsum") {
        result[type] = summaryLevelLcs(this.sentences(target), this.sentences(prediction));
      } else result[type] = scoreNgrams(targetTokens, predictionTokens, Number(type.slice(5)));
    }
    return result;
  }

  /** rouge_score's `score_multi`: per type, the score against the target with the highest F (first on ties). */
  scoreMulti(targets: readonly string[], prediction: string): RougeScores {
    const all = targets.map((t) => this.score(t, prediction));
    const result: RougeScores = {};
    for (const type of this.rougeTypes) {
      let best = all[0]?.[type] as Triple;
      for (const s of all.slice(1)) {
        const candidate = s[type] as Triple;
        if (candidate.fmeasure > best.fmeasure) best = candidate;
      }
      result[type] = best;
    }
    return result;
  }

  private sentences(text: string): (readonly string[])[] {
    // rouge_score splits on "\n" and drops empty lines (whitespace-only lines stay, with no tokens).
    return text
      .split("\n")
      .filter((s) => s.length > 0)
      .map((s) => this.tokenizeText(s));
  }
}

/** Validates one example's references: a string, or a non-empty array of strings (multi-reference). */
export function assertRougeReferences(
  references: unknown,
  offset = 0,
): asserts references is readonly (string | readonly string[])[] {
  if (!Array.isArray(references)) {
    throw new EvaluationError("INVALID_ARGUMENT", "references must be an array of strings or of string arrays", {
      argument: "references",
    });
  }
  for (let i = 0; i < references.length; i++) {
    const ref: unknown = references[i];
    if (typeof ref === "string") continue;
    if (Array.isArray(ref)) {
      if (ref.length === 0) {
        throw new EvaluationError("EMPTY_REFERENCE", `references[${offset + i}] is an empty list of references`, {
          argument: "references",
          index: offset + i,
        });
      }
      assertStringArray(ref, `references[${offset + i}]`);
      continue;
    }
    throw new EvaluationError(
      "INVALID_ARGUMENT",
      `references[${offset + i}] must be a string or an array of strings, got ${ref === null ? "null" : typeof ref}`,
      { argument: "references", index: offset + i },
    );
  }
}

/** Per-example scores (the step shared by `rouge` and the streaming form). */
export function scoreRougeExamples(
  scorer: RougeScorer,
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
): RougeScores[] {
  return predictions.map((prediction, i) => {
    const ref = references[i] as string | readonly string[];
    try {
      return typeof ref === "string" ? scorer.score(ref, prediction) : scorer.scoreMulti(ref, prediction);
    } catch (error) {
      if (error instanceof EvaluationError && error.code === "INPUT_TOO_LONG") {
        throw new EvaluationError(error.code, `predictions[${i}]: ${error.message}`, {
          argument: "predictions",
          index: i,
        });
      }
      throw error;
    }
  });
}

/** Bootstrap low / mid / high of each type over per-example scores. */
export function aggregateRouge(
  rougeTypes: readonly RougeType[],
  scores: readonly RougeScores[],
  options: BootstrapOptions,
): RougeAggregate {
  assertNonEmpty(scores.length, "predictions");
  const columns = new Map<string, Triple[]>(rougeTypes.map((t) => [t, scores.map((s) => s[t] as Triple)]));
  return bootstrapAggregate(columns, options) as RougeAggregate;
}

/**
 * Hugging Face `rouge` semantics. `references[i]` is a string, or a list of strings of which each type
 * keeps the best-F one. With `useAggregator: false`, one `{ [type]: { precision, recall, fmeasure } }` per
 * example; otherwise (default) `{ [type]: { low, mid, high } }` from the seeded bootstrap, where
 * Hugging Face reports `mid.fmeasure`.
 */
export function rouge(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  options: RougeOptions & { useAggregator: false },
): RougeScores[];
export function rouge(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  options?: RougeOptions & { useAggregator?: true },
): RougeAggregate;
export function rouge(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  options?: RougeOptions,
): RougeAggregate | RougeScores[];
export function rouge(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  options: RougeOptions = {},
): RougeAggregate | RougeScores[] {
  assertStringArray(predictions, "predictions");
  assertRougeReferences(references);
  assertSameLength({ predictions, references });
  assertOptionalBoolean(options.useAggregator, "options.useAggregator");
  const scorer = new RougeScorer(options);
  const scores = scoreRougeExamples(scorer, predictions, references);
  if (options.useAggregator === false) return scores;
  return aggregateRouge(scorer.rougeTypes, scores, options);
}
