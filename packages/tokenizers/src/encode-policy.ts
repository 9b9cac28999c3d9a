// What a `Tokenizer` call means, independent of the engine that splits the text: the option and input types,
// their validation, the maximum length, the padding of a batch and the decode clean-up. The native tokenizer
// (tokenizer.ts, the Rust library) and the pure-JS one (pure-tokenizer.ts, for the browser) both use these, so
// the two cannot drift apart. Nothing here may import the N-API binding or a node: module.
import { IGNORE_INDEX } from "@warmstart/core";
import { cleanUpTokenization } from "./clean-up.js";
import { TokenizerError } from "./errors.js";
import { padRows } from "./padding.js";
import { specialTokenStrings, type SpecialTokens } from "./special-tokens.js";

export type Padding = "longest" | "max_length" | false;

export interface EncodeOptions {
  /** Add the model's template tokens (`[CLS] … [SEP]`, `<s> … </s>`). Default true. */
  addSpecialTokens?: boolean;
  /** Cut sequences longer than `maxLength` (longest segment first for pairs). Default false. */
  truncation?: boolean;
  /** Limit for truncation and `"max_length"` padding; defaults to `modelMaxLength`, may not exceed it. */
  maxLength?: number;
  /** `"longest"`: pad to the longest row; `"max_length"`: pad to `maxLength`; false: no padding. Default false. */
  padding?: Padding;
  /** Return `tokenTypeIds`; defaults to whether the model has segment embeddings (BERT yes, GPT-2/RoBERTa no). */
  returnTokenTypeIds?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds?: number[][];
  /** How many rows lost tokens to truncation. */
  truncated: number;
}

export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds?: number[];
  tokens: string[];
  truncated: boolean;
}

export interface DecodeOptions {
  /** Leave out special tokens ([CLS], <pad>, <|endoftext|>, ...). Default false. */
  skipSpecialTokens?: boolean;
  /** transformers' `clean_up_tokenization` (" ," → ","). Defaults to the tokenizer's config (true if unset). */
  cleanUpTokenizationSpaces?: boolean;
}

/** One text or a text pair; a batch is an array of these. */
export type TextInput = string | readonly [string, string];

/** One encoded row before padding: what either engine hands to `assembleBatch`. */
export interface EncodedRow {
  ids: number[];
  typeIds: number[];
  truncated: boolean;
}

/** What `assembleBatch` needs to know of the tokenizer. */
export interface BatchShape {
  padTokenId: number | undefined;
  /** The default of `returnTokenTypeIds`. */
  returnsTokenTypeIds: boolean;
  modelMaxLength: number;
}

export function checkString(value: unknown, what: string): void {
  if (typeof value !== "string") {
    throw new TokenizerError("NOT_A_STRING", `${what} must be a string, got ${describe(value)}`);
  }
}

/** Every item of a `batchEncode` input is a string or a `[string, string]` pair. */
export function checkBatchInputs(inputs: unknown): asserts inputs is readonly TextInput[] {
  if (!Array.isArray(inputs)) {
    throw new TokenizerError(
      "NOT_A_STRING",
      `batchEncode expects an array of strings or [string, string] pairs, got ${describe(inputs)}`,
    );
  }
  inputs.forEach((input: unknown, index) => {
    if (typeof input === "string") return;
    if (Array.isArray(input) && input.length === 2) {
      checkString(input[0], `item ${index}, first text`);
      checkString(input[1], `item ${index}, second text`);
      return;
    }
    throw new TokenizerError(
      "NOT_A_STRING",
      `item ${index} must be a string or a [string, string] pair, got ${describe(input)}`,
    );
  });
}

/** `ids` is an array of integer ids in `[0, vocabSize)`; `what` names it in the error. */
export function checkIds(ids: unknown, what: string, vocabSize: number): void {
  if (!Array.isArray(ids)) {
    throw new TokenizerError("BAD_TOKEN_ID", `${what} must be an array of token ids, got ${describe(ids)}`);
  }
  for (let i = 0; i < ids.length; i++) {
    const id: unknown = ids[i];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new TokenizerError(
        "BAD_TOKEN_ID",
        `${what}: index ${i} holds ${describe(id)}, expected an integer id in [0, ${vocabSize})` +
          (id === IGNORE_INDEX ? ` (replace the ${IGNORE_INDEX} label padding before decoding)` : ""),
      );
    }
  }
}

export function checkIdRows(rows: unknown, vocabSize: number): void {
  if (!Array.isArray(rows)) {
    throw new TokenizerError("BAD_TOKEN_ID", `batchDecode expects an array of id arrays, got ${describe(rows)}`);
  }
  rows.forEach((row: unknown, index) => checkIds(row, `row ${index}`, vocabSize));
}

/** Every special token in `tokens` has an id (`lookup`); `source` names the tokenizer in the error. */
export function checkSpecialTokensKnown(
  tokens: SpecialTokens,
  lookup: (token: string) => number | undefined,
  source: string,
): void {
  for (const token of specialTokenStrings(tokens)) {
    if (lookup(token) === undefined) {
      throw new TokenizerError("MISSING_SPECIAL_TOKEN", `${source}: special token "${token}" is not in the vocabulary`);
    }
  }
}

/** The limit truncation and "max_length" padding work to, validated against the model's. */
export function resolveMaxLength(options: EncodeOptions, modelMaxLength: number): number | undefined {
  const needed = options.truncation === true || options.padding === "max_length";
  const { maxLength } = options;
  if (maxLength !== undefined) {
    if (!Number.isInteger(maxLength) || maxLength <= 0) {
      throw new TokenizerError("INVALID_OPTION", `maxLength must be a positive integer, got ${describe(maxLength)}`);
    }
    if (maxLength > modelMaxLength) {
      throw new TokenizerError(
        "MAX_LENGTH_TOO_LARGE",
        `maxLength ${maxLength} is larger than the model allows (modelMaxLength ${modelMaxLength})`,
      );
    }
    return maxLength;
  }
  if (!needed) return undefined;
  if (!Number.isFinite(modelMaxLength)) {
    throw new TokenizerError(
      "MAX_LENGTH_REQUIRED",
      `truncation or "max_length" padding needs maxLength: this tokenizer has no model_max_length`,
    );
  }
  return modelMaxLength;
}

/** How many text tokens a truncated row keeps once the template's `specials` are counted in. */
export function truncationBudget(maxLength: number, specials: number, isPair: boolean): number {
  const budget = maxLength - specials;
  if (budget < (isPair ? 2 : 1)) {
    throw new TokenizerError(
      "MAX_LENGTH_TOO_SMALL",
      `maxLength ${maxLength} leaves no room for text after the ${specials} special tokens the template adds`,
    );
  }
  return budget;
}

/** Attention masks, optional token types and padding over encoded rows, as `batchEncode` returns them. */
export function assembleBatch(rows: readonly EncodedRow[], options: EncodeOptions, shape: BatchShape): BatchEncoding {
  const wantTypes = options.returnTokenTypeIds ?? shape.returnsTokenTypeIds;
  let inputIds = rows.map((row) => row.ids);
  let attentionMask = inputIds.map((ids) => new Array<number>(ids.length).fill(1));
  let tokenTypeIds = wantTypes ? rows.map((row) => row.typeIds) : undefined;
  const padding = options.padding ?? false;
  if (padding !== false) {
    const padId = shape.padTokenId;
    if (padId === undefined) {
      throw new TokenizerError(
        "NO_PAD_TOKEN",
        `padding "${padding}" needs a pad token; this tokenizer has none (for GPT-2 use withSpecialTokens({ padToken: eosToken }))`,
      );
    }
    const target =
      padding === "max_length"
        ? (resolveMaxLength(options, shape.modelMaxLength) as number)
        : Math.max(0, ...inputIds.map((ids) => ids.length));
    inputIds = padRows(inputIds, target, padId);
    attentionMask = padRows(attentionMask, target, 0);
    if (tokenTypeIds !== undefined) tokenTypeIds = padRows(tokenTypeIds, target, 0);
  }
  return {
    inputIds,
    attentionMask,
    ...(tokenTypeIds === undefined ? {} : { tokenTypeIds }),
    truncated: rows.filter((row) => row.truncated).length,
  };
}

/** `decode`'s clean-up: the call's option, else the tokenizer's `cleanUpTokenizationSpaces` setting. */
export function cleanUpDecoded(text: string, options: DecodeOptions, byDefault: boolean): string {
  return (options.cleanUpTokenizationSpaces ?? byDefault) ? cleanUpTokenization(text) : text;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
