// BERT as a decoder (Hugging Face `BertLMHeadModel`): `bert.*` without pooler, then `cls.predictions`:
// dense → hidden_act → LayerNorm → · word_embeddingsᵀ + bias (the output matrix is the word embedding table).
import { bertConfigFromHF, type BertConfig } from "@warmstart/encoders";
import {
  type FromPretrainedOptions,
  type HFConfigJson,
  loadCheckpointInto,
  readPretrainedConfig,
} from "@warmstart/modeling";
import { BertDecoderBase, type DecoderOptions, type LmHeadLayout } from "./bert-decoder.js";
import { decoderOverrides, type DecoderPretrainedOptions } from "./decoder-config.js";

const LAYOUT: LmHeadLayout = {
  basePrefix: "bert.",
  dense: "cls.predictions.transform.dense",
  norm: "cls.predictions.transform.LayerNorm",
  bias: "cls.predictions.bias",
  outputWeight: "cls.predictions.decoder.weight",
  outputBias: "cls.predictions.decoder.bias",
  tiedAliases: {
    "cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
    "cls.predictions.decoder.bias": "cls.predictions.bias",
  },
};

export class BertLMHeadModel extends BertDecoderBase {
  constructor(config: BertConfig, options: DecoderOptions = {}) {
    super(config, LAYOUT, config.hiddenAct, options);
  }

  /** Names → shapes without allocating; `addCrossAttention` overrides the config's. */
  static parameterShapes(config: BertConfig, options: { addCrossAttention?: boolean } = {}): Map<string, number[]> {
    return BertDecoderBase.shapesFor(
      { ...config, addCrossAttention: options.addCrossAttention ?? config.addCrossAttention },
      LAYOUT,
    );
  }

  /** From a config.json; `is_decoder` defaults to true here (this class is meant as a decoder). */
  static fromConfig(
    json: HFConfigJson,
    options: DecoderOptions & { addCrossAttention?: boolean } = {},
  ): BertLMHeadModel {
    return new BertLMHeadModel(bertConfigFromHF(decoderOverrides(json, options)), options);
  }

  static async fromPretrained(
    idOrPath: string,
    options: DecoderPretrainedOptions & FromPretrainedOptions = {},
  ): Promise<BertLMHeadModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(BertLMHeadModel.fromConfig(json, options), dir, options);
  }
}
