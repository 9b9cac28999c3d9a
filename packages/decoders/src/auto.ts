import {
  type FromPretrainedOptions,
  type HFConfigJson,
  loadCheckpointInto,
  ModelConfigError,
  modelTypeOf,
  readPretrainedConfig,
} from "@warmstart/modeling";
import { BertLMHeadModel } from "./bert/model.js";
import type { DecoderOptions } from "./bert/model.js";
import type { DecoderPretrainedOptions } from "./decoder-config.js";
import { GPT2LMHeadModel } from "./gpt2/model.js";
import { RobertaForCausalLM } from "./roberta/model.js";

import type { DecoderModel } from "./index.js";

type Options = DecoderOptions & { addCrossAttention?: boolean };

const DECODERS: Record<string, (json: HFConfigJson, options: Options) => DecoderModel> = {
  bert: (json, options) => BertLMHeadModel.fromConfig(json, options),
  roberta: (json, options) => RobertaForCausalLM.fromConfig(json, options),
  gpt2: (json, options) => GPT2LMHeadModel.fromConfig(json, options),
};

/** Builds the causal-LM class that a config's `model_type` names (as Hugging Face's `AutoModelForCausalLM`). */
export const AutoDecoder = {
  modelTypes: Object.keys(DECODERS),

  fromConfig(json: HFConfigJson, options: Options = {}): DecoderModel {
    const type = modelTypeOf(json);
    const build = DECODERS[type];
    if (build === undefined) {
      throw new ModelConfigError(
        "UNKNOWN_MODEL_TYPE",
        "model_type",
        `no decoder for model_type "${type}"; supported: ${Object.keys(DECODERS).join(", ")}`,
      );
    }
    return build(json, options);
  },

  async fromPretrained(
    idOrPath: string,
    options: DecoderPretrainedOptions & FromPretrainedOptions = {},
  ): Promise<DecoderModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(AutoDecoder.fromConfig(json, options), dir, options);
  },
};
