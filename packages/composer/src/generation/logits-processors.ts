import type { GenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";

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
        "invalid_config",
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
        "invalid_config",
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

/**
 * Bans token sequences: a one-token entry bans that token everywhere; a longer entry bans its last token when
 * the row ends with the entry's other tokens. Entries equal to an eos id alone are dropped, as in Hugging Face.
 */
export class NoBadWordsLogitsProcessor implements LogitsProcessor {
  readonly badWordsIds: readonly (readonly number[])[];

  constructor(badWordsIds: readonly (readonly number[])[], eosTokenIds: readonly number[] = []) {
    for (const entry of badWordsIds) {
      if (entry.length === 0 || !entry.every((t) => Number.isInteger(t) && t >= 0)) {
        throw new GenerationError(
          "invalid_config",
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
      for (const entry of this.badWordsIds) {
        const last = entry[entry.length - 1]!;
        if (last >= vocabSize) continue;
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
        "invalid_config",
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
      throw new GenerationError("invalid_config", `topK (top_k) must be a positive integer, got ${topK}`, "topK");
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
      throw new GenerationError("invalid_config", `topP (top_p) must be in (0, 1], got ${topP}`, "topP");
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

/**
 * The processors a config asks for, in Hugging Face's order: repetition penalty, no-repeat-ngram, bad words,
 * min length; then, when sampling, the warpers temperature, top-k, top-p.
 */
export function buildLogitsProcessors(config: GenerationConfig, eosTokenIds: readonly number[]): LogitsProcessorList {
  const list: LogitsProcessor[] = [];
  if (config.repetitionPenalty !== 1) list.push(new RepetitionPenaltyLogitsProcessor(config.repetitionPenalty));
  if (config.noRepeatNgramSize > 0) list.push(new NoRepeatNGramLogitsProcessor(config.noRepeatNgramSize));
  if (config.badWordsIds !== undefined && config.badWordsIds.length > 0) {
    list.push(new NoBadWordsLogitsProcessor(config.badWordsIds, eosTokenIds));
  }
  if (config.minLength > 0 && eosTokenIds.length > 0) {
    list.push(new MinLengthLogitsProcessor(config.minLength, eosTokenIds));
  }
  if (config.doSample) {
    if (config.temperature !== 1) list.push(new TemperatureLogitsWarper(config.temperature));
    if (config.topK !== 0) list.push(new TopKLogitsWarper(config.topK));
    if (config.topP < 1) list.push(new TopPLogitsWarper(config.topP));
  }
  return new LogitsProcessorList(list);
}
