import { GenerationError } from "./errors.js";

/** Decides, per row, whether a decoder sequence is complete. `inputIds` include the token just generated. */
export interface StoppingCriteria {
  isDone(inputIds: number[][]): boolean[];
}

/** Done once the sequence (decoder prompt included) holds `maxLength` tokens. */
export class MaxLengthCriteria implements StoppingCriteria {
  readonly maxLength: number;

  constructor(maxLength: number) {
    this.maxLength = maxLength;
  }

  isDone(inputIds: number[][]): boolean[] {
    return inputIds.map((row) => row.length >= this.maxLength);
  }
}

/** Done once the last token is one of the eos ids. */
export class EosTokenCriteria implements StoppingCriteria {
  readonly eosTokenIds: ReadonlySet<number>;

  constructor(eosTokenIds: readonly number[]) {
    this.eosTokenIds = new Set(eosTokenIds);
  }

  isDone(inputIds: number[][]): boolean[] {
    return inputIds.map((row) => row.length > 0 && this.eosTokenIds.has(row[row.length - 1]!));
  }
}

/** A row is done when any criterion says so. */
export class StoppingCriteriaList implements StoppingCriteria {
  readonly criteria: readonly StoppingCriteria[];

  constructor(criteria: readonly StoppingCriteria[]) {
    this.criteria = criteria;
  }

  isDone(inputIds: number[][]): boolean[] {
    const done = inputIds.map(() => false);
    for (const criterion of this.criteria) {
      criterion.isDone(inputIds).forEach((d, i) => {
        if (d) done[i] = true;
      });
    }
    return done;
  }
}

/**
 * transformers' `StoppingCriteriaList.max_length`: the maximum length of the first `MaxLengthCriteria` among the
 * criteria — a user's one when it replaced the built-in one. 4.56's group and constrained beam search finalize their
 * output to this length (`BeamSearchScorer.finalize(max_length=stopping_criteria.max_length)`); undefined without one.
 */
export function criteriaMaxLength(criteria: StoppingCriteria): number | undefined {
  const list = criteria instanceof StoppingCriteriaList ? criteria.criteria : [criteria];
  return list.find((c): c is MaxLengthCriteria => c instanceof MaxLengthCriteria)?.maxLength;
}

/** Seconds on some monotonic clock; `MaxTimeCriteria` takes one so tests can drive time. */
export type Clock = () => number;

const systemClock: Clock = () => performance.now() / 1000;

/**
 * Done (every row at once) once more than `maxTime` seconds have passed since it was made, as transformers'
 * `MaxTimeCriteria` (`generate` makes it after the encoder has run, so encoding time does not count).
 */
export class MaxTimeCriteria implements StoppingCriteria {
  readonly maxTime: number;
  readonly initialTimestamp: number;
  readonly #clock: Clock;

  constructor(maxTime: number, options: { clock?: Clock; initialTimestamp?: number } = {}) {
    this.maxTime = maxTime;
    this.#clock = options.clock ?? systemClock;
    this.initialTimestamp = options.initialTimestamp ?? this.#clock();
  }

  isDone(inputIds: number[][]): boolean[] {
    const expired = this.#clock() - this.initialTimestamp > this.maxTime;
    return inputIds.map(() => expired);
  }
}

/**
 * What `StopStringCriteria.fromTokenizer` needs of a tokenizer; `Tokenizer` from `@warmstart/tokenizers` fits it.
 * `decode` must not skip special tokens nor clean up spaces (the decoder alone, as transformers'
 * `convert_tokens_to_string`).
 */
export interface StopStringTokenizer {
  getVocab(): Record<string, number>;
  encode(text: string, pair?: undefined, options?: { addSpecialTokens?: boolean }): Promise<{ inputIds: number[] }>;
  decode(
    ids: readonly number[],
    options?: { skipSpecialTokens?: boolean; cleanUpTokenizationSpaces?: boolean },
  ): Promise<string>;
}

/** A decode function (ids → text, special tokens kept, no clean-up), the alternative to a tokenizer object. */
export type DecodeFunction = (ids: readonly number[]) => string | Promise<string>;

/** The prefix transformers decodes every token after, so that word-start markers ("##", "Ġ", "▁") resolve. */
const STATIC_PREFIX = "abcdef";

/**
 * Stops a row once its text ends with one of `stopStrings`, possibly spread over several tokens, as transformers'
 * `StopStringCriteria`: the last token must overlap the end of a stop string (its start is a suffix of the stop
 * string, or it contains the whole stop string; it may run past the stop string's end), the tokens before it must
 * continue the match backwards (the first one may run off the stop string's start), and at most
 * `max(stop string length)` tokens are looked at. A stop string that occurs earlier, with a token after it that does
 * not overlap it, does not stop anything.
 *
 * Tokens are matched on their text as transformers' table has it: every vocabulary token decoded after the tokens
 * of "abcdef" and cut after that prefix (so a WordPiece word token reads " word", a "##ing" piece "ing").
 * Byte-level BPE pieces are matched on their decoded text (transformers matches bytes): the same for stop strings
 * and tokens that are whole UTF-8 characters.
 */
export class StopStringCriteria implements StoppingCriteria {
  readonly stopStrings: readonly string[];
  /** Text of every token id (undefined: not in the table, never matches). */
  readonly tokenStrings: ReadonlyMap<number, string>;
  readonly #maxTokens: number;

  constructor(tokenStrings: ReadonlyMap<number, string>, stopStrings: string | readonly string[]) {
    const strings = typeof stopStrings === "string" ? [stopStrings] : [...stopStrings];
    if (strings.length === 0 || !strings.every((s) => typeof s === "string" && s.length > 0)) {
      throw new GenerationError(
        "INVALID_CONFIG",
        "stopStrings (stop_strings) must be non-empty strings",
        "stopStrings",
      );
    }
    this.stopStrings = strings;
    this.tokenStrings = tokenStrings;
    this.#maxTokens = Math.max(...strings.map((s) => s.length));
  }

  /** Builds the token-text table from a tokenizer (or a decode function plus the vocabulary size). */
  static async fromTokenizer(
    tokenizer: StopStringTokenizer | { decode: DecodeFunction; vocabSize: number; prefixIds: readonly number[] },
    stopStrings: string | readonly string[],
  ): Promise<StopStringCriteria> {
    let ids: number[];
    let prefixIds: readonly number[];
    let decode: DecodeFunction;
    if ("getVocab" in tokenizer) {
      ids = Object.values(tokenizer.getVocab());
      prefixIds = (await tokenizer.encode(STATIC_PREFIX, undefined, { addSpecialTokens: false })).inputIds;
      decode = (row) => tokenizer.decode(row, { skipSpecialTokens: false, cleanUpTokenizationSpaces: false });
    } else {
      ids = Array.from({ length: tokenizer.vocabSize }, (_, i) => i);
      prefixIds = tokenizer.prefixIds;
      decode = tokenizer.decode;
    }
    const table = new Map<number, string>();
    for (const id of ids) {
      const text = await decode([...prefixIds, id]);
      const at = text.indexOf(STATIC_PREFIX);
      table.set(id, at < 0 ? text : text.slice(at + STATIC_PREFIX.length));
    }
    return new StopStringCriteria(table, stopStrings);
  }

  isDone(inputIds: number[][]): boolean[] {
    return inputIds.map((row) => this.stopStrings.some((stop) => this.#endsWith(row, stop)));
  }

  #endsWith(row: readonly number[], stop: string): boolean {
    const window = row.slice(-this.#maxTokens);
    if (window.length === 0) return false;
    const last = this.tokenStrings.get(window[window.length - 1]!);
    if (last === undefined) return false;
    // Every way the last token can hold the end of the stop string: the overlap ends at an occurrence of its last
    // character and reaches back to the token's start (or covers the whole stop string).
    for (let i = last.indexOf(stop[stop.length - 1]!); i >= 0; i = last.indexOf(stop[stop.length - 1]!, i + 1)) {
      const overlap = Math.min(i + 1, stop.length);
      if (last.slice(i + 1 - overlap, i + 1) !== stop.slice(stop.length - overlap)) continue;
      if (this.#continuesBackwards(window, stop, overlap)) return true;
    }
    return false;
  }

  #continuesBackwards(window: readonly number[], stop: string, matched: number): boolean {
    let done = matched;
    for (let j = window.length - 2; done < stop.length; j--) {
      if (j < 0) return false;
      const token = this.tokenStrings.get(window[j]!);
      if (token === undefined) return false;
      const remaining = stop.slice(0, stop.length - done);
      if (token.length >= remaining.length) return token.endsWith(remaining);
      if (!remaining.endsWith(token)) return false;
      done += token.length;
    }
    return true;
  }
}
