import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer as NativeTokenizer, type Encoding as NativeEncoding } from "tokenizers";
import { IGNORE_INDEX } from "@warmstart/core";
import { cleanUpTokenization } from "./clean-up.js";
import { templatePostProcessor, usesTokenTypeIds, withoutDecoderCleanup, type TokenizerDocument } from "./documents.js";
import { TokenizerError } from "./errors.js";
import { padRows } from "./padding.js";
import { loadPretrainedTokenizer, type FromPretrainedOptions } from "./pretrained.js";
import { specialTokenStrings, toSpecialTokensMap, type SpecialTokens } from "./special-tokens.js";
import { defaultSettings, toTokenizerConfig, type TokenizerSettings } from "./settings.js";
import { longestFirst } from "./truncation.js";
import { tokenizerFromVocab, type FromVocabOptions } from "./vocab.js";

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

interface Row {
  encoding: NativeEncoding;
  truncated: boolean;
}

/**
 * A Hugging Face fast tokenizer (the Rust `tokenizers` pipeline) plus the transformers-level settings
 * around it: special-token roles, `model_max_length`, truncation, padding and decode clean-up.
 */
export class Tokenizer {
  readonly #native: NativeTokenizer;
  readonly #document: TokenizerDocument;
  readonly #settings: TokenizerSettings;
  readonly #tokenTypeIds: boolean;
  readonly #templateLength = new Map<boolean, number>();
  #vocabSize: number | undefined;

  /** Use `fromFile`, `fromPretrained`, `fromVocab` or `fromDocument`. */
  private constructor(native: NativeTokenizer, document: TokenizerDocument, settings: TokenizerSettings) {
    this.#native = native;
    this.#document = document;
    this.#settings = settings;
    this.#tokenTypeIds = usesTokenTypeIds(document);
  }

  /** From a parsed `tokenizer.json`; `source` names it in errors. */
  static fromDocument(
    document: TokenizerDocument,
    settings: Partial<TokenizerSettings> = {},
    source = "tokenizer.json",
  ): Tokenizer {
    // transformers ignores a tokenizer.json's own truncation and padding (all-MiniLM-L6-v2's say 128, Fixed 128):
    // before each call it sets both to what that call asks for, by default none (set_truncation_and_padding).
    const patched: TokenizerDocument = { ...withoutDecoderCleanup(document), truncation: null, padding: null };
    let native: NativeTokenizer;
    try {
      native = NativeTokenizer.fromString(JSON.stringify(patched));
    } catch (cause) {
      throw new TokenizerError(
        "INVALID_FILE",
        `${source}: not a tokenizer the Rust library can load: ${String(cause)}`,
        { cause },
      );
    }
    const merged: TokenizerSettings = { ...defaultSettings, ...settings, specialTokens: { ...settings.specialTokens } };
    const tokenizer = new Tokenizer(native, patched, merged);
    for (const token of specialTokenStrings(merged.specialTokens)) tokenizer.#requireToken(token, source);
    return tokenizer;
  }

  /** From a `tokenizer.json` file alone (no `tokenizer_config.json`); pass settings to name special tokens. */
  static async fromFile(path: string, settings: Partial<TokenizerSettings> = {}): Promise<Tokenizer> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (cause) {
      throw new TokenizerError("MISSING_FILES", `cannot read tokenizer file ${path}: ${String(cause)}`, { cause });
    }
    let document: TokenizerDocument;
    try {
      document = JSON.parse(text) as TokenizerDocument;
    } catch (cause) {
      throw new TokenizerError("INVALID_FILE", `${path}: not valid JSON: ${String(cause)}`, { cause });
    }
    if (document === null || typeof document !== "object" || typeof document.model !== "object") {
      throw new TokenizerError("INVALID_FILE", `${path}: expected a tokenizer.json object with a "model" field`);
    }
    return Tokenizer.fromDocument(document, settings, path);
  }

  /** A Hub id or local folder (resolved through `@warmstart/hub`); see `AutoTokenizer.fromPretrained`. */
  static async fromPretrained(idOrPath: string, options: FromPretrainedOptions = {}): Promise<Tokenizer> {
    return loadPretrainedTokenizer(idOrPath, options);
  }

  /** From an in-memory vocabulary (WordPiece list/map, or byte-level BPE vocab + merges). */
  static fromVocab(options: FromVocabOptions): Tokenizer {
    const { document, settings } = tokenizerFromVocab(options);
    return Tokenizer.fromDocument(document, settings, "fromVocab");
  }

  get settings(): Readonly<TokenizerSettings> {
    return this.#settings;
  }
  get specialTokens(): Readonly<SpecialTokens> {
    return this.#settings.specialTokens;
  }
  get modelMaxLength(): number {
    return this.#settings.modelMaxLength;
  }
  /** Model vocabulary plus added tokens: the number of rows the embedding matrix needs. */
  get vocabSize(): number {
    this.#vocabSize ??= this.#native.getVocabSize(true);
    return this.#vocabSize;
  }
  get clsTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.clsToken);
  }
  get sepTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.sepToken);
  }
  get padTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.padToken);
  }
  get bosTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.bosToken);
  }
  get eosTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.eosToken);
  }
  get unkTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.unkToken);
  }
  get maskTokenId(): number | undefined {
    return this.#roleId(this.specialTokens.maskToken);
  }
  /** Whether `batchEncode` returns `tokenTypeIds` by default. */
  get returnsTokenTypeIds(): boolean {
    return this.#tokenTypeIds;
  }

  tokenToId(token: string): number | undefined {
    return this.#native.tokenToId(token) ?? undefined;
  }
  idToToken(id: number): string | undefined {
    return this.#native.idToToken(id) ?? undefined;
  }
  /** token → id, added tokens included. */
  getVocab(): Record<string, number> {
    return this.#native.getVocab(true);
  }

  /**
   * The same pipeline with different special-token roles, e.g. `withSpecialTokens({ padToken: eos })`
   * for GPT-2, which has no pad token. The tokens must already be in the vocabulary.
   */
  withSpecialTokens(tokens: SpecialTokens): Tokenizer {
    const settings = { ...this.#settings, specialTokens: { ...this.#settings.specialTokens, ...tokens } };
    return Tokenizer.fromDocument(this.#document, settings, "withSpecialTokens");
  }

  /**
   * The same pipeline with a different special-token template in transformers' syntax, e.g.
   * `withTemplate("<|endoftext|> $A <|endoftext|>")`; the pair template defaults to single + single(B:1).
   */
  withTemplate(single: string, pair?: string): Tokenizer {
    const lookup = (token: string): number | undefined => this.tokenToId(token);
    let processor;
    try {
      processor = templatePostProcessor(lookup, single, pair);
    } catch (cause) {
      if (cause instanceof TokenizerError) throw cause;
      throw new TokenizerError("INVALID_OPTION", `template "${single}" could not be built: ${String(cause)}`, {
        cause,
      });
    }
    return Tokenizer.fromDocument({ ...this.#document, post_processor: processor }, this.#settings, "withTemplate");
  }

  /** The tokens `text` becomes, without special tokens. */
  async tokenize(text: string): Promise<string[]> {
    checkString(text, "text");
    const encoding = await this.#native.encode(text, null, { addSpecialTokens: false });
    return encoding.getTokens();
  }

  async encode(text: string, pair?: string, options: EncodeOptions = {}): Promise<Encoding> {
    checkString(text, "text");
    if (pair !== undefined) checkString(pair, "pair");
    const input: TextInput = pair === undefined ? text : [text, pair];
    const rows = await this.#encodeRows([input], options);
    const batch = this.#assemble(rows, options);
    const row = rows[0] as Row;
    return {
      inputIds: batch.inputIds[0] as number[],
      attentionMask: batch.attentionMask[0] as number[],
      ...(batch.tokenTypeIds === undefined ? {} : { tokenTypeIds: batch.tokenTypeIds[0] as number[] }),
      tokens: row.encoding.getTokens(),
      truncated: row.truncated,
    };
  }

  /** Encodes texts or `[first, second]` pairs; see `EncodeOptions` for truncation and padding. */
  async batchEncode(inputs: readonly TextInput[], options: EncodeOptions = {}): Promise<BatchEncoding> {
    if (!Array.isArray(inputs)) {
      throw new TokenizerError(
        "NOT_A_STRING",
        `batchEncode expects an array of strings or [string, string] pairs, got ${describe(inputs)}`,
      );
    }
    inputs.forEach((input, index) => {
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
    const rows = await this.#encodeRows(inputs, options);
    return this.#assemble(rows, options);
  }

  async decode(ids: readonly number[], options: DecodeOptions = {}): Promise<string> {
    this.#checkIds(ids, "ids");
    const text = await this.#native.decode(ids as number[], options.skipSpecialTokens ?? false);
    return this.#cleanUp(text, options);
  }

  async batchDecode(rows: readonly (readonly number[])[], options: DecodeOptions = {}): Promise<string[]> {
    if (!Array.isArray(rows)) {
      throw new TokenizerError("BAD_TOKEN_ID", `batchDecode expects an array of id arrays, got ${describe(rows)}`);
    }
    rows.forEach((row, index) => this.#checkIds(row, `row ${index}`));
    const texts = await this.#native.decodeBatch(rows as number[][], options.skipSpecialTokens ?? false);
    return texts.map((text) => this.#cleanUp(text, options));
  }

  /** Writes `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json` into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.#native.save(join(dir, "tokenizer.json"), true);
    const map = toSpecialTokensMap(this.specialTokens);
    await writeFile(join(dir, "special_tokens_map.json"), `${JSON.stringify(map, null, 2)}\n`);
    await writeFile(
      join(dir, "tokenizer_config.json"),
      `${JSON.stringify(toTokenizerConfig(this.#settings, map), null, 2)}\n`,
    );
  }

  #roleId(token: string | undefined): number | undefined {
    return token === undefined ? undefined : this.tokenToId(token);
  }

  #requireToken(token: string, source: string): void {
    if (this.tokenToId(token) === undefined) {
      throw new TokenizerError("MISSING_SPECIAL_TOKEN", `${source}: special token "${token}" is not in the vocabulary`);
    }
  }

  #cleanUp(text: string, options: DecodeOptions): string {
    return (options.cleanUpTokenizationSpaces ?? this.#settings.cleanUpTokenizationSpaces)
      ? cleanUpTokenization(text)
      : text;
  }

  #checkIds(ids: unknown, what: string): void {
    if (!Array.isArray(ids)) {
      throw new TokenizerError("BAD_TOKEN_ID", `${what} must be an array of token ids, got ${describe(ids)}`);
    }
    const size = this.vocabSize;
    for (let i = 0; i < ids.length; i++) {
      const id: unknown = ids[i];
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= size) {
        throw new TokenizerError(
          "BAD_TOKEN_ID",
          `${what}: index ${i} holds ${describe(id)}, expected an integer id in [0, ${size})` +
            (id === IGNORE_INDEX ? ` (replace the ${IGNORE_INDEX} label padding before decoding)` : ""),
        );
      }
    }
  }

  /** The limit truncation and "max_length" padding work to, validated against the model's. */
  #maxLength(options: EncodeOptions): number | undefined {
    const needed = options.truncation === true || options.padding === "max_length";
    const { maxLength } = options;
    if (maxLength !== undefined) {
      if (!Number.isInteger(maxLength) || maxLength <= 0) {
        throw new TokenizerError("INVALID_OPTION", `maxLength must be a positive integer, got ${describe(maxLength)}`);
      }
      if (maxLength > this.modelMaxLength) {
        throw new TokenizerError(
          "MAX_LENGTH_TOO_LARGE",
          `maxLength ${maxLength} is larger than the model allows (modelMaxLength ${this.modelMaxLength})`,
        );
      }
      return maxLength;
    }
    if (!needed) return undefined;
    if (!Number.isFinite(this.modelMaxLength)) {
      throw new TokenizerError(
        "MAX_LENGTH_REQUIRED",
        `truncation or "max_length" padding needs maxLength: this tokenizer has no model_max_length`,
      );
    }
    return this.modelMaxLength;
  }

  /** How many special tokens the template adds around one sequence (pair=false) or two (pair=true). */
  async numSpecialTokensToAdd(pair = false): Promise<number> {
    const cached = this.#templateLength.get(pair);
    if (cached !== undefined) return cached;
    const empty = await this.#native.encode("", null, { addSpecialTokens: false });
    const length = this.#native.postProcess(empty, pair ? empty : null, true).getLength();
    this.#templateLength.set(pair, length);
    return length;
  }

  async #encodeRows(inputs: readonly TextInput[], options: EncodeOptions): Promise<Row[]> {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const maxLength = this.#maxLength(options);
    const truncate = options.truncation === true ? maxLength : undefined;
    const native = { addSpecialTokens };
    // The binding's encodeBatch takes single strings only; pairs go through encode, in parallel.
    const encodings = inputs.every((input) => typeof input === "string")
      ? await this.#native.encodeBatch(inputs as string[], native)
      : await Promise.all(
          inputs.map((input) =>
            typeof input === "string"
              ? this.#native.encode(input, null, native)
              : this.#native.encode(input[0], input[1], native),
          ),
        );
    const rows: Row[] = encodings.map((encoding) => ({ encoding, truncated: false }));
    if (truncate === undefined) return rows;
    // Truncation has to happen before the template is applied, so only over-long rows are redone.
    await Promise.all(
      rows.map(async (row, index) => {
        if (row.encoding.getLength() <= truncate) return;
        const input = inputs[index] as TextInput;
        row.encoding = await this.#truncated(input, truncate, addSpecialTokens);
        row.truncated = true;
      }),
    );
    return rows;
  }

  async #truncated(input: TextInput, maxLength: number, addSpecialTokens: boolean): Promise<NativeEncoding> {
    const isPair = typeof input !== "string";
    const specials = addSpecialTokens ? await this.numSpecialTokensToAdd(isPair) : 0;
    const budget = maxLength - specials;
    if (budget < (isPair ? 2 : 1)) {
      throw new TokenizerError(
        "MAX_LENGTH_TOO_SMALL",
        `maxLength ${maxLength} leaves no room for text after the ${specials} special tokens the template adds`,
      );
    }
    const raw = { addSpecialTokens: false };
    if (!isPair) {
      const first = await this.#native.encode(input, null, raw);
      first.truncate(budget, 0, "right");
      return this.#native.postProcess(first, null, addSpecialTokens);
    }
    const [first, second] = await Promise.all([
      this.#native.encode(input[0], null, raw),
      this.#native.encode(input[1], null, raw),
    ]);
    const [keepFirst, keepSecond] = longestFirst(first.getLength(), second.getLength(), budget);
    first.truncate(keepFirst, 0, "right");
    second.truncate(keepSecond, 0, "right");
    return this.#native.postProcess(first, second, addSpecialTokens);
  }

  #assemble(rows: Row[], options: EncodeOptions): BatchEncoding {
    const wantTypes = options.returnTokenTypeIds ?? this.#tokenTypeIds;
    let inputIds = rows.map((row) => row.encoding.getIds());
    let attentionMask = inputIds.map((ids) => new Array<number>(ids.length).fill(1));
    let tokenTypeIds = wantTypes ? rows.map((row) => row.encoding.getTypeIds()) : undefined;
    const padding = options.padding ?? false;
    if (padding !== false) {
      const padId = this.padTokenId;
      if (padId === undefined) {
        throw new TokenizerError(
          "NO_PAD_TOKEN",
          `padding "${padding}" needs a pad token; this tokenizer has none (for GPT-2 use withSpecialTokens({ padToken: eosToken }))`,
        );
      }
      const target =
        padding === "max_length"
          ? (this.#maxLength(options) as number)
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
}

function checkString(value: unknown, what: string): void {
  if (typeof value !== "string") {
    throw new TokenizerError("NOT_A_STRING", `${what} must be a string, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
