import type { BertLMHeadModel } from "./bert/model.js";
import type { GPT2LMHeadModel } from "./gpt2/model.js";
import type { RobertaForCausalLM } from "./roberta/model.js";

export { gpt2ConfigFromHF, gpt2ConfigToHF, type GPT2Config } from "./gpt2/config.js";
export type { DecoderInput, DecoderOutput } from "./decoder-inputs.js";
export { decoderOverrides, type DecoderPretrainedOptions } from "./decoder-config.js";
export { BertDecoderBase, BertLMHeadModel, lmHeadSpecs, type DecoderOptions, type LmHeadLayout } from "./bert/model.js";
export { RobertaForCausalLM } from "./roberta/model.js";
export { GPT2LMHeadModel } from "./gpt2/model.js";

/** Every causal-LM class of this package. */
export type DecoderModel = BertLMHeadModel | RobertaForCausalLM | GPT2LMHeadModel;
