// The `Tokenizer` API over a pure-JS engine, for the browser (no N-API there): @huggingface/tokenizers normalizes,
// pre-tokenizes, runs the model and decodes; the special-token templates are applied here (pure-post-process.ts)
// and the Rust library's normalizer behaviour restored where the JS library differs (pure-normalizers.ts). Options,
// validation, truncation and padding are the native tokenizer's own (encode-policy.ts), so the two encode alike.
import {
  asJsonObject,
  asTokenizerDocument,
  readCheckpointSettings,
  tokenizerJsonSettings,
} from "./checkpoint-files.js";
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
import { AddedTokenSplitter } from "./pure-added-tokens.js";
import { LibraryTokenizerClass, type LibraryTokenizer } from "./pure-library.js";
import { rustCompatibleNormalizer } from "./pure-normalizers.js";
import { useRustByteLevelPattern } from "./pure-pre-tokenizers.js";
import { postProcessorFor, type PostProcess, type TokenRun } from "./pure-post-process.js";
import type { SpecialTokens } from "./special-tokens.js";
import { completeSettings, type TokenizerSettings } from "./settings.js";
import { longestFirst } from "./truncation.js";
import { tokenizerFromVocab, type FromVocabOptions } from "./vocab.js";

/** A checkpoint's tokenizer files, parsed (e.g. `await (await fetch(url)).json()`); only tokenizer.json is needed. */
export interface TokenizerFiles {
  /** `tokenizer.json`. */
  tokenizer: unknown;
  /** `tokenizer_config.json`: model_max_length, special tokens, clean-up default. */
  tokenizerConfig?: unknown;
  /** `special_tokens_map.json`; its roles win over tokenizer_config.json's, as in transformers. */
  specialTokensMap?: unknown;
}

interface Row extends EncodedRow {
  tokens: string[];
}

/**
 * A Hugging Face `tokenizer.json` tokenizer in plain JavaScript, with the API of `Tokenizer` (the native one):
 * the same ids, attention masks, token types, truncation, padding and decoding, checked against the native
 * binding. No N-API binding, no node: modules: it runs in browsers. It cannot train, save or read folders.
 */
export class PureTokenizer {
  readonly #engine: LibraryTokenizer;
  readonly #postProcess: PostProcess;
  readonly #document: TokenizerDocument;
  readonly #settings: TokenizerSettings;
  readonly #tokenTypeIds: boolean;
  readonly #vocab: Record<string, number>;
  readonly #vocabSize: number;
  readonly #unkId: number | undefined;
  readonly #splitter: AddedTokenSplitter | undefined;

  /** Use `fromFiles`, `fromDocument` or `fromVocab`. */
  private constructor(document: TokenizerDocument, settings: TokenizerSettings, source: string) {
    this.#document = document;
    this.#settings = settings;
    this.#tokenTypeIds = usesTokenTypeIds(document);
    this.#postProcess = postProcessorFor(document.post_processor, source);
    this.#splitter = AddedTokenSplitter.ifStripping(document.added_tokens);
    // The library's own template step is left out (post_processor: null): the one in pure-post-process.ts
    // applies the Rust library's rules, also to encodings cut by truncation.
    const engineDocument = {
      ...document,
      added_tokens: document.added_tokens ?? [],
      normalizer: document.normalizer ?? null,
      pre_tokenizer: document.pre_tokenizer ?? null,
      post_processor: null,
      decoder: document.decoder ?? null,
    };
    try {
      // Clean-up is applied by `decode` (cleanUpDecoded), as in the native tokenizer.
      this.#engine = new LibraryTokenizerClass(engineDocument, { clean_up_tokenization_spaces: false });
    } catch (cause) {
      throw new TokenizerError(
        "INVALID_FILE",
        `${source}: not a tokenizer @huggingface/tokenizers can load: ${String(cause)}`,
        { cause },
      );
    }
    const normalizer = rustCompatibleNormalizer(document.normalizer);
    if (normalizer !== undefined) this.#engine.normalizer = normalizer;
    useRustByteLevelPattern(this.#engine.pre_tokenizer, document.pre_tokenizer);
    this.#vocab = {};
    for (const [token, id] of this.#engine.get_vocab(true)) if (typeof token === "string") this.#vocab[token] = id;
    this.#vocabSize = Object.keys(this.#vocab).length;
    const unk = document.model.unk_token;
    this.#unkId = typeof unk === "string" ? this.tokenToId(unk) : undefined;
  }

  /** From a parsed `tokenizer.json` and the settings `tokenizer_config.json` gives; `source` names it in errors. */
  static fromDocument(
    document: TokenizerDocument,
    settings: Partial<TokenizerSettings> = {},
    source = "tokenizer.json",
  ): PureTokenizer {
    // As the native tokenizer: the document's own truncation and padding are not transformers' (see tokenizer.ts).
    const patched: TokenizerDocument = {
      ...withoutDecoderCleanup(asTokenizerDocument(document, source)),
      truncation: null,
      padding: null,
    };
    const merged = completeSettings(settings);
    const tokenizer = new PureTokenizer(patched, merged, source);
    checkSpecialTokensKnown(merged.specialTokens, (token) => tokenizer.tokenToId(token), source);
    return tokenizer;
  }

  /**
   * From a checkpoint's parsed tokenizer files, read as `AutoTokenizer.fromPretrained` reads a folder with a
   * tokenizer.json: roles the configs do not name take the BERT / RoBERTa / GPT-2 defaults the vocabulary has.
   */
  static fromFiles(files: TokenizerFiles, options: { modelMaxLength?: number } = {}): PureTokenizer {
    const document = asTokenizerDocument(files.tokenizer, "tokenizer.json");
    const settings = readCheckpointSettings(
      files.tokenizerConfig === undefined ? undefined : asJsonObject(files.tokenizerConfig, "tokenizer_config.json"),
      files.specialTokensMap === undefined
        ? undefined
        : asJsonObject(files.specialTokensMap, "special_tokens_map.json"),
      { tokenizerConfig: "tokenizer_config.json", specialTokensMap: "special_tokens_map.json" },
    );
    if (options.modelMaxLength !== undefined) settings.modelMaxLength = options.modelMaxLength;
    return PureTokenizer.fromDocument(document, tokenizerJsonSettings(document, settings), "tokenizer.json");
  }

  /** From an in-memory vocabulary (WordPiece list/map, or byte-level BPE vocab + merges), as `Tokenizer.fromVocab`. */
  static fromVocab(options: FromVocabOptions): PureTokenizer {
    const { document, settings } = tokenizerFromVocab(options);
    return PureTokenizer.fromDocument(document, settings, "fromVocab");
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
    return Object.hasOwn(this.#vocab, token) ? this.#vocab[token] : undefined;
  }
  idToToken(id: number): string | undefined {
    return this.#engine.id_to_token(id) ?? undefined;
  }
  /** token → id, added tokens included. */
  getVocab(): Record<string, number> {
    return { ...this.#vocab };
  }

  /** The same pipeline with different special-token roles; the tokens must already be in the vocabulary. */
  withSpecialTokens(tokens: SpecialTokens): PureTokenizer {
    const settings = { ...this.#settings, specialTokens: { ...this.#settings.specialTokens, ...tokens } };
    return PureTokenizer.fromDocument(this.#document, settings, "withSpecialTokens");
  }

  /** The same pipeline with a different special-token template, as `Tokenizer.withTemplate`. */
  withTemplate(single: string, pair?: string): PureTokenizer {
    let processor;
    try {
      processor = templatePostProcessor((token) => this.tokenToId(token), single, pair);
    } catch (cause) {
      if (cause instanceof TokenizerError) throw cause;
      throw new TokenizerError("INVALID_OPTION", `template "${single}" could not be built: ${String(cause)}`, {
        cause,
      });
    }
    return PureTokenizer.fromDocument({ ...this.#document, post_processor: processor }, this.#settings, "withTemplate");
  }

  /** The tokens `text` becomes, without special tokens. */
  async tokenize(text: string): Promise<string[]> {
    checkString(text, "text");
    return this.#raw(text).tokens;
  }

  async encode(text: string, pair?: string, options: EncodeOptions = {}): Promise<Encoding> {
    checkString(text, "text");
    if (pair !== undefined) checkString(pair, "pair");
    const row = this.#encodeRow(pair === undefined ? text : [text, pair], options);
    const batch = this.#assemble([row], options);
    return {
      inputIds: batch.inputIds[0] as number[],
      attentionMask: batch.attentionMask[0] as number[],
      ...(batch.tokenTypeIds === undefined ? {} : { tokenTypeIds: batch.tokenTypeIds[0] as number[] }),
      tokens: row.tokens,
      truncated: row.truncated,
    };
  }

  /** Encodes texts or `[first, second]` pairs; see `EncodeOptions` for truncation and padding. */
  async batchEncode(inputs: readonly TextInput[], options: EncodeOptions = {}): Promise<BatchEncoding> {
    checkBatchInputs(inputs);
    const rows = inputs.map((input) => this.#encodeRow(input, options));
    return this.#assemble(rows, options);
  }

  async decode(ids: readonly number[], options: DecodeOptions = {}): Promise<string> {
    checkIds(ids, "ids", this.vocabSize);
    return this.#decode(ids, options);
  }

  async batchDecode(rows: readonly (readonly number[])[], options: DecodeOptions = {}): Promise<string[]> {
    checkIdRows(rows, this.vocabSize);
    return rows.map((row) => this.#decode(row, options));
  }

  /** How many special tokens the template adds around one sequence (pair=false) or two (pair=true). */
  async numSpecialTokensToAdd(pair = false): Promise<number> {
    return this.#specialsAdded(pair);
  }

  #specialsAdded(pair: boolean): number {
    const none: TokenRun = { ids: [], tokens: [] };
    return this.#postProcess(none, pair ? none : undefined, true).ids.length;
  }

  #decode(ids: readonly number[], options: DecodeOptions): string {
    // The library refuses an empty list; the Rust library decodes it to "".
    const text =
      ids.length === 0
        ? ""
        : this.#engine.decode([...ids], {
            skip_special_tokens: options.skipSpecialTokens ?? false,
            clean_up_tokenization_spaces: false,
          });
    return cleanUpDecoded(text, options, this.#settings.cleanUpTokenizationSpaces);
  }

  #roleId(token: string | undefined): number | undefined {
    return token === undefined ? undefined : this.tokenToId(token);
  }

  /** One text's tokens and ids, no template. */
  #raw(text: string): TokenRun {
    if (this.#splitter === undefined) return this.#library(text);
    const run: TokenRun = { ids: [], tokens: [] };
    for (const piece of this.#splitter.split(text)) {
      const part = "token" in piece ? { ids: [piece.id], tokens: [piece.token] } : this.#library(piece.text);
      run.ids.push(...part.ids);
      run.tokens.push(...part.tokens);
    }
    return run;
  }

  /** What the JS library makes of `text`, with ids. */
  #library(text: string): TokenRun {
    const tokens = this.#engine.tokenize(text, { add_special_tokens: false });
    const ids = tokens.map((token) => {
      const id = this.tokenToId(token) ?? this.#unkId;
      if (id === undefined) {
        throw new TokenizerError("INVALID_FILE", `the model produced token ${JSON.stringify(token)}, which has no id`);
      }
      return id;
    });
    return { ids, tokens };
  }

  #encodeRow(input: TextInput, options: EncodeOptions): Row {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const maxLength = resolveMaxLength(options, this.modelMaxLength);
    const isPair = typeof input !== "string";
    let first = this.#raw(isPair ? input[0] : input);
    let second = isPair ? this.#raw(input[1]) : undefined;
    let truncated = false;
    if (options.truncation === true && maxLength !== undefined) {
      const specials = addSpecialTokens ? this.#specialsAdded(isPair) : 0;
      const length = first.ids.length + (second?.ids.length ?? 0) + specials;
      // As the native tokenizer: only a row over the limit is cut, and then by the template's budget.
      if (length > maxLength) {
        const budget = truncationBudget(maxLength, specials, isPair);
        if (second === undefined) {
          first = keepFirst(first, budget);
        } else {
          const [keepA, keepB] = longestFirst(first.ids.length, second.ids.length, budget);
          first = keepFirst(first, keepA);
          second = keepFirst(second, keepB);
        }
        truncated = true;
      }
    }
    const processed = this.#postProcess(first, second, addSpecialTokens);
    return { ids: processed.ids, typeIds: processed.typeIds, tokens: processed.tokens, truncated };
  }

  #assemble(rows: readonly EncodedRow[], options: EncodeOptions): BatchEncoding {
    return assembleBatch(rows, options, {
      padTokenId: this.padTokenId,
      returnsTokenTypeIds: this.#tokenTypeIds,
      modelMaxLength: this.modelMaxLength,
    });
  }
}

function keepFirst(run: TokenRun, count: number): TokenRun {
  return { ids: run.ids.slice(0, count), tokens: run.tokens.slice(0, count) };
}
