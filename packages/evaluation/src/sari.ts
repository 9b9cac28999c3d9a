/**
 * SARI (Xu et al. 2016) as Hugging Face `evaluate`'s `sari` metric computes it: the tensor2tensor
 * formulation (0/0 := 1, keep recall over reference-weighted counts) on text lower-cased and tokenized with
 * sacreBLEU's 13a tokenizer, then split on single spaces. Per n = 1..4: F1 of kept n-grams, precision of
 * deleted n-grams and F1 of added n-grams; the sentence score is the mean of the three averages over n, the
 * corpus score the mean over sentences, times 100. See the README for how this differs from the paper's
 * script.
 */
import { tokenize13a } from "./bleu-tokenizers.js";
import { EvaluationError } from "./errors.js";
import { assertNonEmpty, assertReferenceLists, assertSameLength, assertStringArray } from "./validate.js";

export interface SariResult {
  /** SARI, 0-100. */
  sari: number;
}

/** The three operation scores of one n-gram order, each in [0, 1]. */
export interface SariNgramScores {
  keep: number;
  deletion: number;
  addition: number;
}

function count(grams: readonly string[], times = 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const g of grams) counts.set(g, (counts.get(g) ?? 0) + times);
  return counts;
}

// Python Counter semantics: `a & b` keeps min counts, `a - b` keeps positive differences; both drop
// non-positive results.
function intersect(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [g, x] of a) {
    const m = Math.min(x, b.get(g) ?? 0);
    if (m > 0) out.set(g, m);
  }
  return out;
}

function subtract(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [g, x] of a) {
    const d = x - (b.get(g) ?? 0);
    if (d > 0) out.set(g, d);
  }
  return out;
}

function f1(precision: number, recall: number): number {
  return precision > 0 || recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/**
 * `SARIngram`: scores for one order. Source and prediction counts are multiplied by the number of
 * references so that they compare with reference counts summed over all references.
 */
export function sariNgram(
  sourceGrams: readonly string[],
  predictionGrams: readonly string[],
  referenceGrams: readonly (readonly string[])[],
): SariNgramScores {
  const numRef = referenceGrams.length;
  const ref = count(referenceGrams.flat());
  const sourceCounts = count(sourceGrams);
  const predictionCounts = count(predictionGrams);
  const source = count(sourceGrams, numRef);
  const prediction = count(predictionGrams, numRef);

  const keep = intersect(source, prediction);
  const keepGood = intersect(keep, ref);
  const keepAll = intersect(source, ref);
  let keepScore1 = 0;
  let keepScore2 = 0;
  for (const [g, good] of keepGood) {
    keepScore1 += good / (keep.get(g) as number);
    keepScore2 += good;
  }
  const keepPrecision = keep.size > 0 ? keepScore1 / keep.size : 1;
  let keepAllTotal = 0;
  for (const v of keepAll.values()) keepAllTotal += v;
  const keepRecall = keepAll.size > 0 ? keepScore2 / keepAllTotal : 1;
  const keepF1 = f1(keepPrecision, keepRecall);

  const deleted = subtract(source, prediction);
  const deletedGood = subtract(deleted, ref);
  let delScore = 0;
  for (const [g, good] of deletedGood) delScore += good / (deleted.get(g) as number);
  const delPrecision = deleted.size > 0 ? delScore / deleted.size : 1;

  // Additions are judged on n-gram types (sets), not counts.
  let added = 0;
  let addedGood = 0;
  for (const g of predictionCounts.keys()) {
    if (sourceCounts.has(g)) continue;
    added++;
    if (ref.has(g)) addedGood++;
  }
  let addable = 0;
  for (const g of ref.keys()) if (!sourceCounts.has(g)) addable++;
  const addPrecision = added > 0 ? addedGood / added : 1;
  const addRecall = addable > 0 ? addedGood / addable : 1;
  const addF1 = f1(addPrecision, addRecall);

  return { keep: keepF1, deletion: delPrecision, addition: addF1 };
}

function ngrams(tokens: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(" "));
  return out;
}

/** Hugging Face's `normalize` with its defaults: lower-case, then sacreBLEU 13a. */
export function normalizeForSari(sentence: string): string {
  return tokenize13a(sentence.toLowerCase());
}

/** `SARIsent` on already-normalized sentences, in [0, 1]; also returns the per-operation averages. */
export function sariSentenceNormalized(
  source: string,
  prediction: string,
  references: readonly string[],
): { score: number; keep: number; deletion: number; addition: number } {
  // Python's split(" "): an empty sentence is one empty token, which takes part like any other.
  const s1 = source.split(" ");
  const c1 = prediction.split(" ");
  const r1 = references.map((r) => r.split(" "));
  let keep = 0;
  let deletion = 0;
  let addition = 0;
  for (let n = 1; n <= 4; n++) {
    const scores = sariNgram(
      ngrams(s1, n),
      ngrams(c1, n),
      r1.map((r) => ngrams(r, n)),
    );
    keep += scores.keep;
    deletion += scores.deletion;
    addition += scores.addition;
  }
  keep /= 4;
  deletion /= 4;
  addition /= 4;
  return { score: (keep + deletion + addition) / 3, keep, deletion, addition };
}

/** SARI of one example on the 0-1 scale of `SARIsent`, after Hugging Face's normalization. */
export function sariSentence(source: string, prediction: string, references: readonly string[]): number {
  if (references.length === 0) {
    throw new EvaluationError("EMPTY_REFERENCE", "references is empty: SARI needs at least one reference", {
      argument: "references",
    });
  }
  return sariSentenceNormalized(
    normalizeForSari(source),
    normalizeForSari(prediction),
    references.map(normalizeForSari),
  ).score;
}

/** Corpus SARI (0-100): the mean of sentence scores. `references[i]` lists the references of example i. */
export function sari(
  sources: readonly string[],
  predictions: readonly string[],
  references: readonly (readonly string[])[],
): SariResult {
  assertStringArray(sources, "sources");
  assertStringArray(predictions, "predictions");
  assertReferenceLists(references, "references");
  assertSameLength({ sources, predictions, references });
  assertNonEmpty(predictions.length, "predictions");
  let total = 0;
  for (let i = 0; i < predictions.length; i++) {
    total += sariSentence(sources[i] as string, predictions[i] as string, references[i] as readonly string[]);
  }
  // Same operation order as Hugging Face (mean, then scale) so the floats agree to the last bit.
  return { sari: 100 * (total / predictions.length) };
}
