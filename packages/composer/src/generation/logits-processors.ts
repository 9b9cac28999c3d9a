import type { GenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";
import { logSoftmaxRows } from "./numeric.js";
import { mergeCustom, PrefixConstrainedLogitsProcessor, type PrefixAllowedTokensFn } from "./prefix-constrained.js";

/**
 * Rewrites next-token scores in place. `inputIds` are the decoder sequences so far (`[rows][t]`, start token
 * included); `scores` is row-major `[rows, vocabSize]`: raw logits for greedy search and sampling,
 * log-probabilities for beam search (as in Hugging Face).
 */
export interface LogitsProcessor {
  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void;
}

/** Bans eos while the decoder sequence (start token included) is shorter than `minLength`. */
export class MinLengthLogitsProcessor implements LogitsProcessor {
  readonly minLength: number;
  readonly eosTokenIds: readonly number[];

  constructor(minLength: number, eosTokenIds: readonly number[]) {
    this.minLength = minLength;
    this.eosTokenIds = eosTokenIds;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const length = inputIds[0]?.length ?? 0;
    if (length >= this.minLength) return;
    for (let row = 0; row < inputIds.length; row++) {
      for (const eos of this.eosTokenIds) {
        if (eos >= 0 && eos < vocabSize) scores[row * vocabSize + eos] = -Infinity;
      }
    }
  }
}

/**
 * Bans every token that would complete an n-gram already present in the row: the last n-1 tokens followed by
 * the candidate must not occur earlier in the sequence.
 */
export class NoRepeatNGramLogitsProcessor implements LogitsProcessor {
  readonly ngramSize: number;

  constructor(ngramSize: number) {
    if (!Number.isInteger(ngramSize) || ngramSize <= 0) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `noRepeatNgramSize (no_repeat_ngram_size) must be a positive integer, got ${ngramSize}`,
        "noRepeatNgramSize",
      );
    }
    this.ngramSize = ngramSize;
  }

  /** Tokens banned for one sequence. */
  bannedTokens(sequence: readonly number[]): number[] {
    const n = this.ngramSize;
    const length = sequence.length;
    // Fewer than n-1 tokens of context: no n-gram can be completed yet.
    if (length + 1 < n) return [];
    const banned = new Set<number>();
    const suffixStart = length - (n - 1);
    // Every earlier n-gram whose first n-1 tokens equal the current suffix bans its last token.
    for (let start = 0; start + n <= length; start++) {
      let matches = true;
      for (let j = 0; j < n - 1; j++) {
        if (sequence[start + j] !== sequence[suffixStart + j]) {
          matches = false;
          break;
        }
      }
      if (matches) banned.add(sequence[start + n - 1]!);
    }
    return [...banned];
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    for (let row = 0; row < inputIds.length; row++) {
      for (const token of this.bannedTokens(inputIds[row]!)) {
        if (token >= 0 && token < vocabSize) scores[row * vocabSize + token] = -Infinity;
      }
    }
  }
}

/**
 * CTRL's repetition penalty (Keskar et al. 2019) on every token already in the row: a positive score is
 * divided by the penalty and a negative one multiplied, so the token always becomes less likely for penalty > 1.
 */
export class RepetitionPenaltyLogitsProcessor implements LogitsProcessor {
  readonly penalty: number;

  constructor(penalty: number) {
    if (!(penalty > 0) || !Number.isFinite(penalty)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `repetitionPenalty (repetition_penalty) must be a positive number, got ${penalty}`,
        "repetitionPenalty",
      );
    }
    this.penalty = penalty;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    for (let row = 0; row < inputIds.length; row++) {
      // Each distinct token is penalised once, however often it occurs.
      for (const token of new Set(inputIds[row]!)) {
        if (token < 0 || token >= vocabSize) continue;
        const i = row * vocabSize + token;
        const s = scores[i]!;
        scores[i] = s < 0 ? s * this.penalty : s / this.penalty;
      }
    }
  }
}

/** Throws when an id of a processor's setting is outside the vocabulary (transformers raises the same way). */
function checkInVocabulary(
  ids: Iterable<number>,
  vocabSize: number,
  field: keyof GenerationConfig,
  hfKey: string,
): void {
  const outside = [...ids].filter((id) => id >= vocabSize);
  if (outside.length > 0) {
    throw new GenerationError(
      "INVALID_CONFIG",
      `${field} (${hfKey}) holds token ids outside the vocabulary (size ${vocabSize}): ${JSON.stringify(outside)}`,
      field,
    );
  }
}

/**
 * Bans token sequences: a one-token entry bans that token everywhere; a longer entry bans its last token when
 * the row ends with the entry's other tokens (an entry whose prefix is longer than the row is ignored). Entries
 * equal to an eos id alone are dropped, and an id outside the vocabulary is an error, as in Hugging Face.
 */
export class NoBadWordsLogitsProcessor implements LogitsProcessor {
  readonly badWordsIds: readonly (readonly number[])[];

  constructor(badWordsIds: readonly (readonly number[])[], eosTokenIds: readonly number[] = []) {
    for (const entry of badWordsIds) {
      if (entry.length === 0 || !entry.every((t) => Number.isInteger(t) && t >= 0)) {
        throw new GenerationError(
          "INVALID_CONFIG",
          `badWordsIds (bad_words_ids) must be non-empty lists of token ids, got ${JSON.stringify(entry)}`,
          "badWordsIds",
        );
      }
    }
    this.badWordsIds = badWordsIds.filter((entry) => !(entry.length === 1 && eosTokenIds.includes(entry[0]!)));
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    for (let row = 0; row < inputIds.length; row++) {
      const sequence = inputIds[row]!;
      if (row === 0) checkInVocabulary(this.badWordsIds.flat(), vocabSize, "badWordsIds", "bad_words_ids");
      for (const entry of this.badWordsIds) {
        const last = entry[entry.length - 1]!;
        const prefixLength = entry.length - 1;
        if (prefixLength > sequence.length) continue;
        let matches = true;
        for (let j = 0; j < prefixLength; j++) {
          if (sequence[sequence.length - prefixLength + j] !== entry[j]) {
            matches = false;
            break;
          }
        }
        if (matches) scores[row * vocabSize + last] = -Infinity;
      }
    }
  }
}

/** Divides every score by the temperature (sampling only). */
export class TemperatureLogitsWarper implements LogitsProcessor {
  readonly temperature: number;

  constructor(temperature: number) {
    if (!(temperature > 0) || !Number.isFinite(temperature)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `temperature must be a positive number, got ${temperature}`,
        "temperature",
      );
    }
    this.temperature = temperature;
  }

  process(_inputIds: number[][], scores: Float64Array): void {
    for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / this.temperature;
  }
}

/** Keeps the `topK` highest scores of each row (and every score tied with the k-th); the rest become -Infinity. */
export class TopKLogitsWarper implements LogitsProcessor {
  readonly topK: number;
  readonly minTokensToKeep: number;

  constructor(topK: number, minTokensToKeep = 1) {
    if (!Number.isInteger(topK) || topK <= 0) {
      throw new GenerationError("INVALID_CONFIG", `topK (top_k) must be a positive integer, got ${topK}`, "topK");
    }
    this.topK = topK;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const k = Math.min(Math.max(this.topK, this.minTokensToKeep), vocabSize);
    for (let start = 0; start < scores.length; start += vocabSize) {
      const row = scores.slice(start, start + vocabSize).sort();
      const threshold = row[vocabSize - k]!;
      for (let i = start; i < start + vocabSize; i++) if (scores[i]! < threshold) scores[i] = -Infinity;
    }
  }
}

/**
 * Nucleus filtering (Holtzman et al. 2019): keeps the most likely tokens whose cumulative probability reaches
 * `topP`; tokens outside that set become -Infinity. At least `minTokensToKeep` tokens survive.
 */
export class TopPLogitsWarper implements LogitsProcessor {
  readonly topP: number;
  readonly minTokensToKeep: number;

  constructor(topP: number, minTokensToKeep = 1) {
    if (!(topP > 0 && topP <= 1)) {
      throw new GenerationError("INVALID_CONFIG", `topP (top_p) must be in (0, 1], got ${topP}`, "topP");
    }
    this.topP = topP;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const order = new Array<number>(vocabSize);
    for (let start = 0; start < scores.length; start += vocabSize) {
      for (let i = 0; i < vocabSize; i++) order[i] = i;
      // Ascending, as Hugging Face sorts: the tail whose mass stays within 1 - topP is dropped.
      order.sort((a, b) => scores[start + a]! - scores[start + b]! || a - b);
      let max = -Infinity;
      for (let i = 0; i < vocabSize; i++) max = Math.max(max, scores[start + i]!);
      let total = 0;
      for (let i = 0; i < vocabSize; i++) total += Math.exp(scores[start + i]! - max);
      let cumulative = 0;
      for (let rank = 0; rank < vocabSize - this.minTokensToKeep; rank++) {
        const token = order[rank]!;
        cumulative += Math.exp(scores[start + token]! - max) / total;
        if (cumulative > 1 - this.topP) break;
        scores[start + token] = -Infinity;
      }
    }
  }
}

/** float32's largest finite value: what `removeInvalidValues` turns +Infinity into (and -Infinity into its negation). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Adds a bias to token sequences (transformers' `sequence_bias`, list format `[[tokenIds, bias], ...]`): a one-token
 * entry biases that token at every step; a longer entry biases its last token when the row ends with its other
 * tokens (ignored while its prefix is longer than the row). Repeated entries: the last one counts. An id outside the
 * vocabulary is an error.
 */
export class SequenceBiasLogitsProcessor implements LogitsProcessor {
  readonly entries: readonly { readonly ids: readonly number[]; readonly bias: number }[];

  constructor(sequenceBias: readonly (readonly [readonly number[], number])[]) {
    const bad = () =>
      new GenerationError(
        "INVALID_CONFIG",
        "sequenceBias (sequence_bias) must be a non-empty list of [non-empty token-id list, finite bias] pairs, got " +
          JSON.stringify(sequenceBias),
        "sequenceBias",
      );
    if (!Array.isArray(sequenceBias) || sequenceBias.length === 0) throw bad();
    const byKey = new Map<string, { ids: readonly number[]; bias: number }>();
    for (const entry of sequenceBias) {
      if (!Array.isArray(entry) || entry.length !== 2) throw bad();
      const [ids, bias] = entry;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((t) => Number.isInteger(t) && t >= 0)) throw bad();
      if (typeof bias !== "number" || !Number.isFinite(bias)) throw bad();
      byKey.set(ids.join(","), { ids: [...ids], bias });
    }
    this.entries = [...byKey.values()];
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    checkInVocabulary(
      this.entries.flatMap((e) => e.ids),
      vocabSize,
      "sequenceBias",
      "sequence_bias",
    );
    for (let row = 0; row < inputIds.length; row++) {
      const sequence = inputIds[row]!;
      const bias = new Map<number, number>();
      for (const { ids, bias: b } of this.entries) if (ids.length === 1) bias.set(ids[0]!, b);
      for (const { ids, bias: b } of this.entries) {
        const prefixLength = ids.length - 1;
        if (prefixLength === 0 || prefixLength > sequence.length) continue;
        let matches = true;
        for (let j = 0; j < prefixLength; j++) {
          if (sequence[sequence.length - prefixLength + j] !== ids[j]) {
            matches = false;
            break;
          }
        }
        const last = ids[prefixLength]!;
        if (matches) bias.set(last, (bias.get(last) ?? 0) + b);
      }
      for (const [token, b] of bias) scores[row * vocabSize + token] = scores[row * vocabSize + token]! + b;
    }
  }
}

/**
 * transformers' `encoder_repetition_penalty` (a "hallucination" penalty): every token of the row's encoder input
 * (padding included) has a positive score multiplied by the penalty and a negative one divided by it, so values above
 * 1 make the input's tokens more likely. Rows are the inputs' beams / samples in order.
 */
export class EncoderRepetitionPenaltyLogitsProcessor implements LogitsProcessor {
  readonly penalty: number;
  readonly encoderTokens: readonly (readonly number[])[];

  constructor(penalty: number, encoderInputIds: readonly (readonly number[])[]) {
    if (!(penalty > 0) || !Number.isFinite(penalty)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `encoderRepetitionPenalty (encoder_repetition_penalty) must be a positive number, got ${penalty}`,
        "encoderRepetitionPenalty",
      );
    }
    this.penalty = penalty;
    this.encoderTokens = encoderInputIds.map((ids) => [...new Set(ids)]);
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const batch = this.encoderTokens.length;
    const perInput = inputIds.length > batch ? Math.floor(inputIds.length / batch) : 1;
    for (let row = 0; row < inputIds.length; row++) {
      for (const token of this.encoderTokens[Math.floor(row / perInput)] ?? []) {
        if (token >= vocabSize) continue;
        const i = row * vocabSize + token;
        const s = scores[i]!;
        scores[i] = s < 0 ? s / this.penalty : s * this.penalty;
      }
    }
  }
}

/**
 * transformers' `encoder_no_repeat_ngram_size`: bans every token that would complete an n-gram of the row's encoder
 * input (padding included); with n = 1, every token of the input.
 */
export class EncoderNoRepeatNGramLogitsProcessor implements LogitsProcessor {
  readonly ngramSize: number;
  /** Per input: the n-1 tokens before each encoder n-gram's last token → those last tokens. */
  private readonly continuations: Map<string, number[]>[];

  constructor(ngramSize: number, encoderInputIds: readonly (readonly number[])[]) {
    if (!Number.isInteger(ngramSize) || ngramSize <= 0) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `encoderNoRepeatNgramSize (encoder_no_repeat_ngram_size) must be a positive integer, got ${ngramSize}`,
        "encoderNoRepeatNgramSize",
      );
    }
    this.ngramSize = ngramSize;
    this.continuations = encoderInputIds.map((ids) => {
      const map = new Map<string, number[]>();
      for (let start = 0; start + ngramSize <= ids.length; start++) {
        const key = ids.slice(start, start + ngramSize - 1).join(",");
        const list = map.get(key) ?? [];
        list.push(ids[start + ngramSize - 1]!);
        map.set(key, list);
      }
      return map;
    });
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const perInput = Math.max(1, Math.floor(inputIds.length / this.continuations.length));
    for (let row = 0; row < inputIds.length; row++) {
      const sequence = inputIds[row]!;
      if (sequence.length < this.ngramSize - 1) continue;
      const key = sequence.slice(sequence.length - (this.ngramSize - 1)).join(",");
      for (const token of this.continuations[Math.floor(row / perInput)]?.get(key) ?? []) {
        if (token < vocabSize) scores[row * vocabSize + token] = -Infinity;
      }
    }
  }
}

/** Sets every score but the given tokens' to -Infinity, and theirs to 0. */
function forceTokens(scores: Float64Array, rows: number, vocabSize: number, tokens: readonly number[]): void {
  scores.fill(-Infinity, 0, rows * vocabSize);
  for (let row = 0; row < rows; row++) for (const t of tokens) scores[row * vocabSize + t] = 0;
}

/** Forces `forcedBosTokenId` as the first generated token (when the rows hold just one token). */
export class ForcedBOSTokenLogitsProcessor implements LogitsProcessor {
  readonly tokenId: number;

  constructor(tokenId: number) {
    if (!Number.isInteger(tokenId) || tokenId < 0) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `forcedBosTokenId (forced_bos_token_id) must be a token id, got ${tokenId}`,
        "forcedBosTokenId",
      );
    }
    this.tokenId = tokenId;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    if ((inputIds[0]?.length ?? 0) !== 1) return;
    checkInVocabulary([this.tokenId], vocabSize, "forcedBosTokenId", "forced_bos_token_id");
    forceTokens(scores, inputIds.length, vocabSize, [this.tokenId]);
  }
}

/** Forces the `forcedEosTokenId` token(s) at the last position (when the rows hold `maxLength - 1` tokens). */
export class ForcedEOSTokenLogitsProcessor implements LogitsProcessor {
  readonly maxLength: number;
  readonly tokenIds: readonly number[];

  constructor(maxLength: number, tokenIds: number | readonly number[]) {
    const ids = typeof tokenIds === "number" ? [tokenIds] : [...tokenIds];
    if (!ids.every((t) => Number.isInteger(t) && t >= 0)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `forcedEosTokenId (forced_eos_token_id) must be a token id or a list of them, got ${JSON.stringify(tokenIds)}`,
        "forcedEosTokenId",
      );
    }
    this.maxLength = maxLength;
    this.tokenIds = ids;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    if ((inputIds[0]?.length ?? 0) !== this.maxLength - 1) return;
    checkInVocabulary(this.tokenIds, vocabSize, "forcedEosTokenId", "forced_eos_token_id");
    forceTokens(scores, inputIds.length, vocabSize, this.tokenIds);
  }
}

/** `removeInvalidValues`: NaN becomes 0, +Infinity / -Infinity the largest / smallest float32. */
export class InfNanRemoveLogitsProcessor implements LogitsProcessor {
  process(_inputIds: number[][], scores: Float64Array): void {
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (Number.isNaN(s)) scores[i] = 0;
      else if (s === Infinity) scores[i] = FLOAT32_MAX;
      else if (s === -Infinity) scores[i] = -FLOAT32_MAX;
    }
  }
}

/**
 * transformers' `exponential_decay_length_penalty` `[startIndex, decayFactor]`: once the rows are longer than
 * `promptLength + startIndex`, each finite eos score `s` becomes `s + |s| * (decayFactor ** (length - promptLength -
 * startIndex) - 1)` (5.x leaves -Infinity eos scores alone; 4.x turns them into NaN).
 */
export class ExponentialDecayLengthPenalty implements LogitsProcessor {
  readonly regulationStart: number;
  readonly factor: number;
  readonly eosTokenIds: readonly number[];

  constructor(penalty: readonly [number, number], eosTokenIds: readonly number[], promptLength: number) {
    if (
      !Array.isArray(penalty) ||
      penalty.length !== 2 ||
      !Number.isInteger(penalty[0]) ||
      !Number.isFinite(penalty[1])
    ) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `exponentialDecayLengthPenalty (exponential_decay_length_penalty) must be [start index, decay factor], got ${JSON.stringify(penalty)}`,
        "exponentialDecayLengthPenalty",
      );
    }
    if (eosTokenIds.length === 0) {
      throw new GenerationError(
        "MISSING_TOKEN_ID",
        "exponentialDecayLengthPenalty (exponential_decay_length_penalty) raises the eos scores, but eosTokenId is not set",
        "eosTokenId",
      );
    }
    this.regulationStart = penalty[0] + promptLength;
    this.factor = penalty[1];
    this.eosTokenIds = [...new Set(eosTokenIds)];
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const length = inputIds[0]?.length ?? 0;
    if (length <= this.regulationStart) return;
    checkInVocabulary(this.eosTokenIds, vocabSize, "eosTokenId", "eos_token_id");
    const growth = this.factor ** (length - this.regulationStart) - 1;
    for (let row = 0; row < inputIds.length; row++) {
      for (const eos of this.eosTokenIds) {
        const i = row * vocabSize + eos;
        const s = scores[i]!;
        if (Number.isFinite(s)) scores[i] = s + Math.abs(s) * growth;
      }
    }
  }
}

/**
 * Sets the given tokens' scores to -Infinity (ids outside the vocabulary are ignored); with `beginIndex`, only at
 * the step where the rows hold that many tokens.
 */
export class SuppressTokensLogitsProcessor implements LogitsProcessor {
  readonly tokenIds: readonly number[];
  readonly beginIndex: number | undefined;

  constructor(tokenIds: readonly number[], beginIndex?: number) {
    this.tokenIds = [...tokenIds];
    this.beginIndex = beginIndex;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    if (this.beginIndex !== undefined && (inputIds[0]?.length ?? 0) !== this.beginIndex) return;
    for (let row = 0; row < inputIds.length; row++) {
      for (const t of this.tokenIds) if (t >= 0 && t < vocabSize) scores[row * vocabSize + t] = -Infinity;
    }
  }
}

/** Log-softmax of each row (`renormalizeLogits`), after every other processor. */
export class LogitNormalization implements LogitsProcessor {
  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    logSoftmaxRows(scores, vocabSize);
  }
}

/** Probabilities of one row (softmax), with the row's maximum logit. */
function rowProbabilities(scores: Float64Array, start: number, vocabSize: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < vocabSize; i++) max = Math.max(max, scores[start + i]!);
  const probs = new Float64Array(vocabSize);
  let total = 0;
  for (let i = 0; i < vocabSize; i++) {
    probs[i] = Math.exp(scores[start + i]! - max);
    total += probs[i]!;
  }
  for (let i = 0; i < vocabSize; i++) probs[i] = probs[i]! / total;
  return probs;
}

/** The k-th largest of `values` (k clipped to the length). */
function kthLargest(values: ArrayLike<number>, k: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length - Math.min(k, sorted.length)]!;
}

/** Entropy (nats) of a probability row; zero-probability tokens contribute nothing. */
function entropy(probs: Float64Array): number {
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log(p);
  return h;
}

function checkMinTokensToKeep(minTokensToKeep: number): void {
  if (!Number.isInteger(minTokensToKeep) || minTokensToKeep < 1) {
    throw new GenerationError("INVALID_CONFIG", `minTokensToKeep must be a positive integer, got ${minTokensToKeep}`);
  }
}

/**
 * min-p sampling: drops tokens whose probability is below `minP` times the most likely token's; at least
 * `minTokensToKeep` (the most likely) survive.
 */
export class MinPLogitsWarper implements LogitsProcessor {
  readonly minP: number;
  readonly minTokensToKeep: number;

  constructor(minP: number, minTokensToKeep = 1) {
    if (!(minP >= 0 && minP <= 1)) {
      throw new GenerationError("INVALID_CONFIG", `minP (min_p) must be in [0, 1], got ${minP}`, "minP");
    }
    checkMinTokensToKeep(minTokensToKeep);
    this.minP = minP;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    for (let start = 0; start < scores.length; start += vocabSize) {
      const probs = rowProbabilities(scores, start, vocabSize);
      let top = 0;
      for (const p of probs) top = Math.max(top, p);
      const threshold = this.minP * top;
      const kept = kthLargest(probs, this.minTokensToKeep);
      for (let i = 0; i < vocabSize; i++) {
        if (probs[i]! < threshold && probs[i]! < kept) scores[start + i] = -Infinity;
      }
    }
  }
}

/**
 * Locally typical sampling (Meister et al. 2022): tokens sorted by how far their information `-log p` is from the
 * row's entropy; the closest ones are kept until their mass reaches `typicalP` (the token reaching it included, and
 * every token as close as it); at least `minTokensToKeep` survive.
 */
export class TypicalLogitsWarper implements LogitsProcessor {
  readonly mass: number;
  readonly minTokensToKeep: number;

  constructor(mass: number, minTokensToKeep = 1) {
    if (!(mass > 0 && mass < 1)) {
      throw new GenerationError("INVALID_CONFIG", `typicalP (typical_p) must be in (0, 1), got ${mass}`, "typicalP");
    }
    checkMinTokensToKeep(minTokensToKeep);
    this.mass = mass;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const order = new Array<number>(vocabSize);
    for (let start = 0; start < scores.length; start += vocabSize) {
      const probs = rowProbabilities(scores, start, vocabSize);
      const h = entropy(probs);
      const distance = new Float64Array(vocabSize);
      for (let i = 0; i < vocabSize; i++) distance[i] = Math.abs(-Math.log(probs[i]!) - h);
      for (let i = 0; i < vocabSize; i++) order[i] = i;
      order.sort((a, b) => distance[a]! - distance[b]! || a - b);
      let cumulative = 0;
      let lastIndex = 0;
      for (let rank = 0; rank < vocabSize; rank++) {
        cumulative += probs[order[rank]!]!;
        if (cumulative < this.mass) lastIndex = rank + 1;
        else break;
      }
      lastIndex = Math.min(lastIndex, vocabSize - 1);
      const threshold = distance[order[lastIndex]!]!;
      for (let rank = this.minTokensToKeep; rank < vocabSize; rank++) {
        const token = order[rank]!;
        if (distance[token]! > threshold) scores[start + token] = -Infinity;
      }
    }
  }
}

/** Drops tokens whose probability is below `cutoff(probs)`, except the `minTokensToKeep` highest-scoring ones. */
function truncateBelow(
  scores: Float64Array,
  vocabSize: number,
  minTokensToKeep: number,
  cutoff: (probs: Float64Array) => number,
): void {
  for (let start = 0; start < scores.length; start += vocabSize) {
    const probs = rowProbabilities(scores, start, vocabSize);
    const limit = cutoff(probs);
    const kept = kthLargest(scores.subarray(start, start + vocabSize), minTokensToKeep);
    for (let i = 0; i < vocabSize; i++) {
      if (probs[i]! < limit && scores[start + i]! < kept) scores[start + i] = -Infinity;
    }
  }
}

/** Epsilon sampling (Hewitt et al. 2022): drops tokens less likely than `epsilon`. */
export class EpsilonLogitsWarper implements LogitsProcessor {
  readonly epsilon: number;
  readonly minTokensToKeep: number;

  constructor(epsilon: number, minTokensToKeep = 1) {
    if (!(epsilon > 0 && epsilon < 1)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `epsilonCutoff (epsilon_cutoff) must be in (0, 1), got ${epsilon}`,
        "epsilonCutoff",
      );
    }
    checkMinTokensToKeep(minTokensToKeep);
    this.epsilon = epsilon;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    truncateBelow(scores, vocabSize, this.minTokensToKeep, () => this.epsilon);
  }
}

/** Eta sampling (Hewitt et al. 2022): drops tokens less likely than `min(eta, sqrt(eta) * exp(-entropy))`. */
export class EtaLogitsWarper implements LogitsProcessor {
  readonly eta: number;
  readonly minTokensToKeep: number;

  constructor(eta: number, minTokensToKeep = 1) {
    if (!(eta > 0 && eta < 1)) {
      throw new GenerationError("INVALID_CONFIG", `etaCutoff (eta_cutoff) must be in (0, 1), got ${eta}`, "etaCutoff");
    }
    checkMinTokensToKeep(minTokensToKeep);
    this.eta = eta;
    this.minTokensToKeep = minTokensToKeep;
  }

  process(_inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    truncateBelow(scores, vocabSize, this.minTokensToKeep, (probs) =>
      Math.min(this.eta, Math.sqrt(this.eta) * Math.exp(-entropy(probs))),
    );
  }
}

/** Applies processors in order. */
export class LogitsProcessorList implements LogitsProcessor {
  readonly processors: readonly LogitsProcessor[];

  constructor(processors: readonly LogitsProcessor[]) {
    this.processors = processors;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    for (const p of this.processors) p.process(inputIds, scores, vocabSize);
  }
}

/** What `buildLogitsProcessors` takes besides the config: `generate()`'s `prefixAllowedTokensFn` and `logitsProcessors`. */
export interface BuildLogitsProcessorsExtra {
  prefixAllowedTokensFn?: PrefixAllowedTokensFn | undefined;
  /** Custom processors: one of a built-in processor's class replaces it, the others run after the built-in ones. */
  logitsProcessors?: readonly LogitsProcessor[] | undefined;
  // What some processors need beyond the config: the encoder input and the lengths of this generation.
  /** The encoder input ids, `[batch][length]` (padding included): for the encoder repetition / n-gram settings. */
  encoderInputIds?: readonly (readonly number[])[];
  /** Length of the decoder prompt (start token included). Default 1. */
  promptLength?: number;
  /** The resolved maximum length (needed by `forcedEosTokenId`). */
  maxLength?: number;
}

/**
 * The processors a config asks for, in Hugging Face's order (`_get_logits_processor`): sequence bias, encoder
 * repetition penalty, repetition penalty, no-repeat-ngram, encoder no-repeat-ngram, bad words, min length, forced
 * bos, forced eos, remove invalid values, exponential decay length penalty, suppress tokens, begin-suppress tokens;
 * with `prefixAllowedTokensFn` its processor after min length; custom `logitsProcessors` merged in; then, when
 * sampling, the warpers temperature, top-k, top-p, min-p, typical-p, epsilon, eta; renormalisation last.
 * `config.minLength` is the effective minimum (`minNewTokens` already resolved).
 */
export function buildLogitsProcessors(
  config: GenerationConfig,
  eosTokenIds: readonly number[],
  context: BuildLogitsProcessorsExtra = {},
): LogitsProcessorList {
  const list: LogitsProcessor[] = [];
  const promptLength = context.promptLength ?? 1;
  // As transformers: the encoder settings need real input ids (none negative), or they are skipped.
  const encoderIds =
    context.encoderInputIds !== undefined && context.encoderInputIds.every((r) => r.every((t) => t >= 0))
      ? context.encoderInputIds
      : undefined;
  if (config.sequenceBias !== undefined) list.push(new SequenceBiasLogitsProcessor(config.sequenceBias));
  if (config.encoderRepetitionPenalty !== 1 && encoderIds !== undefined) {
    list.push(new EncoderRepetitionPenaltyLogitsProcessor(config.encoderRepetitionPenalty, encoderIds));
  }
  if (config.repetitionPenalty !== 1) list.push(new RepetitionPenaltyLogitsProcessor(config.repetitionPenalty));
  if (config.noRepeatNgramSize > 0) list.push(new NoRepeatNGramLogitsProcessor(config.noRepeatNgramSize));
  if (config.encoderNoRepeatNgramSize > 0 && encoderIds !== undefined) {
    list.push(new EncoderNoRepeatNGramLogitsProcessor(config.encoderNoRepeatNgramSize, encoderIds));
  }
  if (config.badWordsIds !== undefined && config.badWordsIds.length > 0) {
    list.push(new NoBadWordsLogitsProcessor(config.badWordsIds, eosTokenIds));
  }
  if (config.minLength > 0 && eosTokenIds.length > 0) {
    list.push(new MinLengthLogitsProcessor(config.minLength, eosTokenIds));
  }
  if (context.prefixAllowedTokensFn !== undefined) {
    list.push(
      new PrefixConstrainedLogitsProcessor(
        context.prefixAllowedTokensFn,
        Math.max(config.numBeams, config.numReturnSequences),
      ),
    );
  }
  if (config.forcedBosTokenId !== undefined) list.push(new ForcedBOSTokenLogitsProcessor(config.forcedBosTokenId));
  if (config.forcedEosTokenId !== undefined) {
    if (context.maxLength === undefined) {
      throw new GenerationError("INVALID_CONFIG", "forcedEosTokenId needs the maximum length", "forcedEosTokenId");
    }
    list.push(new ForcedEOSTokenLogitsProcessor(context.maxLength, config.forcedEosTokenId));
  }
  if (config.removeInvalidValues) list.push(new InfNanRemoveLogitsProcessor());
  if (config.exponentialDecayLengthPenalty !== undefined) {
    list.push(new ExponentialDecayLengthPenalty(config.exponentialDecayLengthPenalty, eosTokenIds, promptLength));
  }
  if (config.suppressTokens !== undefined) list.push(new SuppressTokensLogitsProcessor(config.suppressTokens));
  if (config.beginSuppressTokens !== undefined) {
    // The first generated position; the second when a forced bos takes the first after a one-token prompt.
    const beginIndex = promptLength > 1 || config.forcedBosTokenId === undefined ? promptLength : promptLength + 1;
    list.push(new SuppressTokensLogitsProcessor(config.beginSuppressTokens, beginIndex));
  }
  // Custom processors: one of a built-in class replaces it, the others come after the built-in ones (transformers'
  // `_merge_criteria_processor_list`), before the sampling warpers.
  const merged = mergeCustom(list, context.logitsProcessors);
  if (config.doSample) {
    // Beam sampling keeps at least one token besides the eos ids per beam, so a beam can always continue
    // (transformers' `min_tokens_to_keep` of `_get_logits_processor`).
    const keep = config.numBeams > 1 ? Math.max(2, eosTokenIds.length + 1) : 1;
    if (config.temperature !== 1) merged.push(new TemperatureLogitsWarper(config.temperature));
    if (config.topK !== 0) merged.push(new TopKLogitsWarper(config.topK, keep));
    if (config.topP < 1) merged.push(new TopPLogitsWarper(config.topP, keep));
    if (config.minP !== undefined) merged.push(new MinPLogitsWarper(config.minP, keep));
    if (config.typicalP < 1) merged.push(new TypicalLogitsWarper(config.typicalP, keep));
    // transformers ignores cutoffs outside (0, 1) rather than rejecting them.
    if (config.epsilonCutoff > 0 && config.epsilonCutoff < 1) {
      merged.push(new EpsilonLogitsWarper(config.epsilonCutoff, keep));
    }
    if (config.etaCutoff > 0 && config.etaCutoff < 1) merged.push(new EtaLogitsWarper(config.etaCutoff, keep));
  }
  if (config.renormalizeLogits) merged.push(new LogitNormalization());
  return new LogitsProcessorList(merged);
}
