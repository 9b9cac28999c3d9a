import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer as NativeTokenizer, type Encoding as NativeEncoding } from "tokenizers";
import { templatePostProcessor, usesTokenTypeIds, withoutDecoderCleanup, type TokenizerDocument } from "./documents.js";
import {
  assembleBatch,
  checkBatchInputs,
  checkIdRows,
  checkIds,
  checkSpecialTokensKnown,
  checkString,
  cleanUpDecoded,
  resolveMaxLength,
  truncationBudget,
  type BatchEncoding,
  type DecodeOptions,
  type EncodedRow,
  type EncodeOptions,
  type Encoding,
  type TextInput,
} from "./encode-policy.js";
import { TokenizerError } from "./errors.js";
import { loadPretrainedTokenizer, type FromPretrainedOptions } from "./pretrained.js";
import { toSpecialTokensMap, type SpecialTokens } from "./special-tokens.js";
import { completeSettings, toTokenizerConfig, type TokenizerSettings } from "./settings.js";
import { longestFirst } from "./truncation.js";
import { tokenizerFromVocab, type FromVocabOptions } from "./vocab.js";

// Defined once in encode-policy.ts (shared with the pure-JS tokenizer); exported from here as before.
export type { BatchEncoding, DecodeOptions, EncodeOptions, Encoding, Padding, TextInput } from "./encode-policy.js";

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
    const merged = completeSettings(settings);
    const tokenizer = new Tokenizer(native, patched, merged);
    checkSpecialTokensKnown(merged.specialTokens, (token) => tokenizer.tokenToId(token), source);
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
    checkBatchInputs(inputs);
    const rows = await this.#encodeRows(inputs, options);
    return this.#assemble(rows, options);
  }

  async decode(ids: readonly number[], options: DecodeOptions = {}): Promise<string> {
    checkIds(ids, "ids", this.vocabSize);
    const text = await this.#native.decode(ids as number[], options.skipSpecialTokens ?? false);
    return cleanUpDecoded(text, options, this.#settings.cleanUpTokenizationSpaces);
  }

  async batchDecode(rows: readonly (readonly number[])[], options: DecodeOptions = {}): Promise<string[]> {
    checkIdRows(rows, this.vocabSize);
    const texts = await this.#native.decodeBatch(rows as number[][], options.skipSpecialTokens ?? false);
    return texts.map((text) => cleanUpDecoded(text, options, this.#settings.cleanUpTokenizationSpaces));
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
    const maxLength = resolveMaxLength(options, this.modelMaxLength);
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
    const budget = truncationBudget(maxLength, specials, isPair);
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
    const encoded: EncodedRow[] = rows.map((row) => ({
      ids: row.encoding.getIds(),
      typeIds: row.encoding.getTypeIds(),
      truncated: row.truncated,
    }));
    return assembleBatch(encoded, options, {
      padTokenId: this.padTokenId,
      returnsTokenTypeIds: this.#tokenTypeIds,
      modelMaxLength: this.modelMaxLength,
    });
  }
}
