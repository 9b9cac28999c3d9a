import {
  type FromPretrainedOptions,
  type HFConfigJson,
  loadCheckpointInto,
  ModelConfigError,
  modelTypeOf,
  readPretrainedConfig,
} from "@warmstart/modeling";
import { bertConfigFromHF } from "./bert/config.js";
import { BertModel, type EncoderOptions } from "./bert/model.js";
import { robertaConfigFromHF } from "./roberta/config.js";
import { RobertaModel } from "./roberta/model.js";

const ENCODERS: Record<string, (json: HFConfigJson, options: EncoderOptions) => BertModel> = {
  bert: (json, options) => new BertModel(bertConfigFromHF(json), options),
  roberta: (json, options) => new RobertaModel(robertaConfigFromHF(json), options),
};

/** Builds the encoder class that a config's `model_type` names (as Hugging Face's `AutoModel`). */
export const AutoEncoder = {
  modelTypes: Object.keys(ENCODERS),

  fromConfig(json: HFConfigJson, options: EncoderOptions = {}): BertModel {
    const type = modelTypeOf(json);
    const build = ENCODERS[type];
    if (build === undefined) {
      throw new ModelConfigError(
        "UNKNOWN_MODEL_TYPE",
        "model_type",
        `no encoder for model_type "${type}"; supported: ${Object.keys(ENCODERS).join(", ")}`,
      );
    }
    return build(json, options);
  },

  async fromPretrained(idOrPath: string, options: EncoderOptions & FromPretrainedOptions = {}): Promise<BertModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(AutoEncoder.fromConfig(json, options), dir, options);
  },
};
