export { Tokenizer } from "./tokenizer.js";
export type { BatchEncoding, DecodeOptions, EncodeOptions, Encoding, Padding, TextInput } from "./tokenizer.js";
export { AutoTokenizer } from "./auto.js";
export { loadTokenizerFolder } from "./pretrained.js";
export type { FromPretrainedOptions } from "./pretrained.js";
export { prepareSeq2SeqBatch, decoderTokenizer, LABEL_PAD_ID } from "./seq2seq.js";
export type { Seq2SeqBatch, Seq2SeqBatchOptions } from "./seq2seq.js";
// Defined once in @warmstart/core; re-exported because this package exported it before.
export { shiftTokensRight } from "@warmstart/core";
export { trainTokenizer } from "./train.js";
export type { TrainTokenizerOptions } from "./train.js";
export { toInt32Array } from "./tensor.js";
export { tokenizerBindingInfo, type TokenizerBindingInfo } from "./binding-info.js";
export type { Int32Matrix } from "./tensor.js";
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
