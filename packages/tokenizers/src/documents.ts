// Builders for Hugging Face `tokenizer.json` documents. The npm binding cannot construct a byte-level
// decoder or a RoBERTa template through its functions, but its `Tokenizer.fromString` reads every
// component of the JSON format, so the pipelines are described here as data and handed to Rust whole.
import { TokenizerError } from "./errors.js";

export type JsonObject = Record<string, unknown>;

/** A parsed `tokenizer.json`; only the fields this package reads or writes are typed. */
export interface TokenizerDocument extends JsonObject {
  version?: string;
  added_tokens?: AddedTokenJson[];
  normalizer?: JsonObject | null;
  pre_tokenizer?: JsonObject | null;
  post_processor?: JsonObject | null;
  decoder?: JsonObject | null;
  model: JsonObject;
}

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

function addedTokens(
  vocab: Record<string, number>,
  tokens: readonly string[],
  lstrip: ReadonlySet<string>,
): AddedTokenJson[] {
  let next = Math.max(-1, ...Object.values(vocab)) + 1;
  return tokens.map((content) => {
    const existing = vocab[content];
    const id = existing ?? next++;
    return {
      id,
      content,
      single_word: false,
      lstrip: lstrip.has(content),
      rstrip: false,
      normalized: false,
      special: true,
    };
  });
}

/** token → id over the model vocabulary and the added tokens. */
export type IdLookup = (token: string) => number | undefined;

function lookupIn(vocab: Record<string, number>, added: readonly AddedTokenJson[]): IdLookup {
  const extra = new Map(added.map((token) => [token.content, token.id]));
  return (token) => extra.get(token) ?? vocab[token];
}

function requireId(lookup: IdLookup, token: string, what: string): number {
  const id = lookup(token);
  if (id === undefined) {
    throw new TokenizerError("MISSING_SPECIAL_TOKEN", `${what} "${token}" is not in the vocabulary`);
  }
  return id;
}

/** `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` with token type 1 on the second segment, as BERT was trained. */
export function bertPostProcessor(lookup: IdLookup, cls: string, sep: string): JsonObject {
  return {
    type: "BertProcessing",
    sep: [sep, requireId(lookup, sep, "sep token")],
    cls: [cls, requireId(lookup, cls, "cls token")],
  };
}

/** `<s> A </s>` / `<s> A </s></s> B </s>`, all token type 0 (RoBERTa has a single segment embedding). */
export function robertaPostProcessor(lookup: IdLookup, cls: string, sep: string): JsonObject {
  return {
    type: "RobertaProcessing",
    sep: [sep, requireId(lookup, sep, "sep token")],
    cls: [cls, requireId(lookup, cls, "cls token")],
    trim_offsets: true,
    add_prefix_space: false,
  };
}

/**
 * A TemplateProcessing post-processor from Hugging Face's template strings, e.g.
 * `"<|endoftext|> $A <|endoftext|>"`; `$A`/`$B` may carry a type id as `$B:1`, special tokens as `[SEP]:1`.
 */
export function templatePostProcessor(lookup: IdLookup, single: string, pair: string | undefined): JsonObject {
  const specials: Record<string, JsonObject> = {};
  const parse = (template: string): JsonObject[] =>
    template
      .split(/\s+/)
      .filter((piece) => piece.length > 0)
      .map((piece) => {
        const match = /^(.*?)(?::(\d+))?$/.exec(piece);
        const name = match?.[1] ?? piece;
        const typeId = Number(match?.[2] ?? 0);
        if (name === "$A" || name === "$B" || name === "$") {
          return { Sequence: { id: name === "$B" ? "B" : "A", type_id: typeId } };
        }
        const id = requireId(lookup, name, "template token");
        specials[name] = { id: name, ids: [id], tokens: [name] };
        return { SpecialToken: { id: name, type_id: typeId } };
      });
  const singlePieces = parse(single);
  const pairPieces = parse(pair ?? `${single} ${single.replace(/\$A\b/, "$B:1")}`);
  return { type: "TemplateProcessing", single: singlePieces, pair: pairPieces, special_tokens: specials };
}

export interface WordPieceDocumentOptions {
  vocab: Record<string, number>;
  lowercase: boolean;
  /** Hugging Face's default `null` strips accents exactly when lower-casing. */
  stripAccents?: boolean;
  unkToken: string;
  clsToken: string;
  sepToken: string;
  specialTokens: readonly string[];
}

export function wordPieceDocument(options: WordPieceDocumentOptions): TokenizerDocument {
  const { vocab } = options;
  const added = addedTokens(vocab, options.specialTokens, new Set());
  const lookup = lookupIn(vocab, added);
  requireId((token) => vocab[token], options.unkToken, "unk token");
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: options.stripAccents ?? null,
      lowercase: options.lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: bertPostProcessor(lookup, options.clsToken, options.sepToken),
    // Clean-up of " ," etc. is applied in TypeScript so `cleanUpTokenizationSpaces` can turn it off.
    decoder: { type: "WordPiece", prefix: "##", cleanup: false },
    model: {
      type: "WordPiece",
      unk_token: options.unkToken,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export interface ByteLevelBpeDocumentOptions {
  vocab: Record<string, number>;
  merges: ReadonlyArray<readonly [string, string]>;
  specialTokens: readonly string[];
  /** `"gpt2"`: no special tokens added; `"roberta"`: `<s> … </s>` around every sequence. */
  template: "gpt2" | "roberta";
  clsToken?: string;
  sepToken?: string;
  maskToken?: string;
}

export function byteLevelBpeDocument(options: ByteLevelBpeDocumentOptions): TokenizerDocument {
  const { vocab } = options;
  // RoBERTa's <mask> swallows the space before it so "a <mask> b" fills the mask with a "Ġword" token.
  const lstrip = new Set(options.template === "roberta" && options.maskToken !== undefined ? [options.maskToken] : []);
  const added = addedTokens(vocab, options.specialTokens, lstrip);
  let postProcessor: JsonObject = { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true };
  if (options.template === "roberta") {
    if (options.clsToken === undefined || options.sepToken === undefined) {
      throw new TokenizerError("MISSING_SPECIAL_TOKEN", "a RoBERTa template needs both a cls token and a sep token");
    }
    postProcessor = robertaPostProcessor(lookupIn(vocab, added), options.clsToken, options.sepToken);
  }
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: postProcessor,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: options.merges.map(([a, b]) => [a, b]),
    },
  };
}

/**
 * Turns off the WordPiece decoder's built-in clean-up (anywhere in the decoder tree) so that the
 * `cleanUpTokenizationSpaces` option alone decides it, as in transformers' Python `decode`.
 */
export function withoutDecoderCleanup(document: TokenizerDocument): TokenizerDocument {
  const visit = (decoder: unknown): unknown => {
    if (decoder === null || typeof decoder !== "object") return decoder;
    const node = { ...(decoder as JsonObject) };
    if (node.type === "WordPiece") node.cleanup = false;
    if (Array.isArray(node.decoders)) node.decoders = node.decoders.map(visit);
    return node;
  };
  return { ...document, decoder: visit(document.decoder ?? null) as JsonObject | null };
}

/** Whether the pair template puts any token in segment 1, i.e. the model has token type embeddings to feed. */
export function usesTokenTypeIds(document: TokenizerDocument): boolean {
  const processor = document.post_processor;
  if (processor === null || processor === undefined) return false;
  const visit = (node: JsonObject): boolean => {
    if (node.type === "BertProcessing") return true;
    if (node.type === "TemplateProcessing" && Array.isArray(node.pair)) {
      return JSON.stringify(node.pair).includes('"type_id":1');
    }
    if (node.type === "Sequence" && Array.isArray(node.processors)) {
      return (node.processors as JsonObject[]).some(visit);
    }
    return false;
  };
  return visit(processor);
}
