// RoBERTa as a decoder (Hugging Face `RobertaForCausalLM`): `roberta.*` without pooler, then `lm_head`:
// dense → gelu (exact, whatever hidden_act says) → layer_norm → · word_embeddingsᵀ + bias.
import { robertaConfigFromHF, type RobertaConfig } from "@warmstart/encoders";
import {
  type FromPretrainedOptions,
  type HFConfigJSON,
  loadCheckpointInto,
  readPretrainedConfig,
} from "@warmstart/modeling";
import { BertDecoderBase, type DecoderOptions, type LmHeadLayout } from "../bert/model.js";
import { decoderOverrides, type DecoderPretrainedOptions } from "../decoder-config.js";

const LAYOUT: LmHeadLayout = {
  basePrefix: "roberta.",
  dense: "lm_head.dense",
  norm: "lm_head.layer_norm",
  bias: "lm_head.bias",
  outputWeight: "lm_head.decoder.weight",
  outputBias: "lm_head.decoder.bias",
  tiedAliases: {
    "lm_head.decoder.weight": "roberta.embeddings.word_embeddings.weight",
    "lm_head.decoder.bias": "lm_head.bias",
  },
};

export class RobertaForCausalLM extends BertDecoderBase {
  declare readonly config: RobertaConfig;

  constructor(config: RobertaConfig, options: DecoderOptions = {}) {
    super(config, LAYOUT, "gelu", options);
  }

  /** Names → shapes without allocating; `addCrossAttention` overrides the config's. */
  static parameterShapes(config: RobertaConfig, options: { addCrossAttention?: boolean } = {}): Map<string, number[]> {
    return BertDecoderBase.shapesFor(
      { ...config, addCrossAttention: options.addCrossAttention ?? config.addCrossAttention },
      LAYOUT,
    );
  }

  /** From a config.json; `is_decoder` defaults to true here (this class is meant as a decoder). */
  static fromConfig(
    json: HFConfigJSON,
    options: DecoderOptions & { addCrossAttention?: boolean } = {},
  ): RobertaForCausalLM {
    return new RobertaForCausalLM(robertaConfigFromHF(decoderOverrides(json, options)), options);
  }

  static async fromPretrained(
    idOrPath: string,
    options: DecoderPretrainedOptions & FromPretrainedOptions = {},
  ): Promise<RobertaForCausalLM> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(RobertaForCausalLM.fromConfig(json, options), dir, options);
  }
}
