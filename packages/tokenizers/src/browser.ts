// @warmstart/tokenizers/browser: the tokenizer API without the N-API binding or any node: module, for bundlers and
// browsers. `PureTokenizer` encodes and decodes exactly as `Tokenizer` from the package root does (pure-tokenizer.test.ts
// checks it against the native binding); it cannot train, save, or read folders and Hub ids itself.
export { PureTokenizer } from "./pure-tokenizer.js";
export type { TokenizerFiles } from "./pure-tokenizer.js";
export type { BatchEncoding, DecodeOptions, EncodeOptions, Encoding, Padding, TextInput } from "./encode-policy.js";
export { cleanUpTokenization } from "./clean-up.js";
export {
  BERT_SPECIAL_TOKENS,
  GPT2_SPECIAL_TOKENS,
  ROBERTA_SPECIAL_TOKENS,
  parseMerges,
  parseVocabTxt,
} from "./vocab.js";
export type { ByteLevelBpeVocabOptions, FromVocabOptions, WordPieceVocabOptions } from "./vocab.js";
export type { SpecialTokenRole, SpecialTokens } from "./special-tokens.js";
export type { TokenizerSettings } from "./settings.js";
export type { TokenizerDocument } from "./documents.js";
export { TokenizerError } from "./errors.js";
export type { TokenizerErrorCode } from "./errors.js";
