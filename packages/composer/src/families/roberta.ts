import { RobertaModel, robertaConfigFromHF, robertaConfigToHF } from "@warmstart/encoders";
import { RobertaForCausalLM } from "@warmstart/decoders";
import type { ModelFamily } from "./model-family.js";

/** RoBERTa (Liu et al.): BERT's graph with byte-level BPE (`<s> … </s>`), masked-LM pre-training. */
export const robertaFamily: ModelFamily = {
  modelType: "roberta",
  displayName: "RoBERTa",
  basePrefix: "roberta.",
  hiddenSize: (json) => robertaConfigFromHF(json).hiddenSize,
  initializerRange: (json) => robertaConfigFromHF(json).initializerRange,
  // Position ids count from pad_token_id + 1, so the first pad_token_id + 1 rows are never a token's.
  maxPositions: (json) => {
    const config = robertaConfigFromHF(json);
    return config.maxPositionEmbeddings - (config.padTokenId ?? 0) - 1;
  },
  configClassDefaults: { pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 },
  configToHF: (json) => robertaConfigToHF(robertaConfigFromHF(json)),
  encoder: {
    create: (json, options) => new RobertaModel(robertaConfigFromHF(json), options),
    parameterShapes: (json, options) => RobertaModel.parameterShapes(robertaConfigFromHF(json), options),
  },
  decoder: {
    create: (json, options) => RobertaForCausalLM.fromConfig(json, options),
    parameterShapes: (json) => RobertaForCausalLM.parameterShapes(robertaConfigFromHF(json)),
  },
  tokenizer: { kind: "bpe", template: "roberta" },
  pretraining: { objective: "mlm", architectures: { mlm: "RobertaForMaskedLM", clm: "RobertaForCausalLM" } },
  // roberta-base is a RobertaForMaskedLM checkpoint: it has no pooler, which RobertaModel has.
  hubCheckpointLacks: (name) => name.startsWith("pooler."),
};
