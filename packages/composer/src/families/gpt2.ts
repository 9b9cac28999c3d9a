import { GPT2LMHeadModel, gpt2ConfigFromHF, gpt2ConfigToHF } from "@warmstart/decoders";
import type { ModelFamily } from "./model-family.js";

/** GPT-2 (Radford et al.): decoder-only, byte-level BPE without added tokens, causal-LM pre-training. */
export const gpt2Family: ModelFamily = {
  modelType: "gpt2",
  displayName: "GPT-2",
  basePrefix: "transformer.",
  hiddenSize: (json) => gpt2ConfigFromHF(json).nEmbd,
  initializerRange: (json) => gpt2ConfigFromHF(json).initializerRange,
  maxPositions: (json) => gpt2ConfigFromHF(json).nPositions,
  configClassDefaults: { bos_token_id: 50256, eos_token_id: 50256 },
  configToHF: (json) => gpt2ConfigToHF(gpt2ConfigFromHF(json)),
  encoder: null,
  decoder: {
    create: (json, options) => GPT2LMHeadModel.fromConfig(json, options),
    parameterShapes: (json) => GPT2LMHeadModel.parameterShapes(gpt2ConfigFromHF(json)),
  },
  tokenizer: { kind: "bpe", template: "gpt2" },
  pretraining: { objective: "clm", architectures: { clm: "GPT2LMHeadModel" } },
  hubCheckpointLacks: () => false,
};
