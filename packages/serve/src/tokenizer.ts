import type { StreamerTokenizer, TextTokenizer } from "@warmstart/composer";

/**
 * The part of a tokenizer the server needs; `Tokenizer` from `@warmstart/tokenizers` fits it as is. Kept
 * structural, as in `@warmstart/composer`, so that this package does not load the tokenizer's native bindings.
 */
export interface ServeTokenizer extends TextTokenizer, StreamerTokenizer {
  /** The longest input the model takes (`model_max_length`); unset or infinite when the tokenizer has none. */
  readonly modelMaxLength?: number;
}
