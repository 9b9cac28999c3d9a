// The part of @huggingface/tokenizers (pure JS, Apache-2.0) the pure-JS tokenizer relies on, typed here: the
// package's own declarations import their modules without file extensions, which NodeNext resolution rejects
// for most of them (its `Normalizer` classes come through as missing), so they cannot be used as they are.
import * as library from "@huggingface/tokenizers";

/** The library's tokenizer, over a parsed tokenizer.json and a tokenizer_config.json. */
export interface LibraryTokenizer {
  /** Called on every section of text between added tokens; replaceable with any `Normalizer`. */
  normalizer: LibraryNormalizer | null;
  pre_tokenizer: LibraryPreTokenizer | null;
  tokenize(text: string, options: { add_special_tokens: boolean }): string[];
  decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_vocab(withAddedTokens: boolean): Map<string, number>;
}

/** A normalizer object; the library calls it as a function, which runs `normalize`. */
export interface LibraryNormalizer {
  config: unknown;
  normalize(text: string): string;
}

/** A pre-tokenizer object: ByteLevel keeps its split RegExp in `pattern`, Sequence its steps in `tokenizers`. */
export interface LibraryPreTokenizer {
  pattern?: RegExp;
  tokenizers?: (LibraryPreTokenizer | null)[];
}

type NormalizerConstructor = abstract new (config: object) => LibraryNormalizer;

const exported = library as unknown as {
  Tokenizer: new (tokenizerJson: object, tokenizerConfig: object) => LibraryTokenizer;
  Normalizer: NormalizerConstructor;
  SequenceNormalizer: new (config: object) => LibraryNormalizer;
};

export const LibraryTokenizerClass = exported.Tokenizer;
/** Base class of the library's normalizers: a subclass implements `normalize`. */
export const NormalizerBase = exported.Normalizer;
export const SequenceNormalizer = exported.SequenceNormalizer;
