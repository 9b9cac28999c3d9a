// RoBERTa's config (Hugging Face `RobertaConfig`): BERT's fields with RoBERTa's defaults, and the checks its
// position ids need (they are counted from pad_token_id + 1).
import { ModelConfigError, type HFConfigJSON } from "@warmstart/modeling";
import { bertConfigToHF, readBertFamilyConfig, type BertConfig, type BertFamilyDefaults } from "../bert/config.js";

export type RobertaConfig = BertConfig & { modelType: "roberta" };

// Where RobertaConfig's constructor defaults differ from BertConfig's.
const ROBERTA_DEFAULTS: BertFamilyDefaults = {
  modelType: "roberta",
  vocabSize: 50265,
  padTokenId: 1,
  bosTokenId: 0,
  eosTokenId: 2,
};

/** The one place RoBERTa's snake_case `config.json` is mapped; throws ModelConfigError naming the bad field. */
export function robertaConfigFromHF(json: HFConfigJSON): RobertaConfig {
  const config = readBertFamilyConfig(json, ROBERTA_DEFAULTS) as RobertaConfig;
  const pad = config.padTokenId;
  if (pad === null) {
    throw new ModelConfigError(
      "INVALID_FIELD",
      "pad_token_id",
      "RoBERTa needs pad_token_id: its position ids are derived from it",
    );
  }
  if (pad + 1 >= config.maxPositionEmbeddings) {
    throw new ModelConfigError(
      "INVALID_FIELD",
      "max_position_embeddings",
      `RoBERTa positions start at pad_token_id + 1 = ${pad + 1}, beyond max_position_embeddings ${config.maxPositionEmbeddings}`,
    );
  }
  return config;
}

export const robertaConfigToHF: (config: RobertaConfig) => HFConfigJSON = bertConfigToHF;
