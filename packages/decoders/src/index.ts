export { gpt2ConfigFromHF, gpt2ConfigToHF, type GPT2Config } from "./gpt2-config.js";
export type { DecoderInput, DecoderOutput } from "./decoder-inputs.js";
export { decoderOverrides, type DecoderPretrainedOptions } from "./decoder-config.js";
export { BertDecoderBase, lmHeadSpecs, type DecoderOptions, type LmHeadLayout } from "./bert-decoder.js";
export { BertLMHeadModel } from "./bert-lm-head.js";
export { RobertaForCausalLM } from "./roberta-causal-lm.js";
export { GPT2LMHeadModel } from "./gpt2.js";
export { AutoDecoder, type DecoderModel } from "./auto.js";
