// RoBERTa encoder (Hugging Face `RobertaModel`): BERT's graph with position ids counted from pad_token_id + 1
// over non-pad tokens, one token type, and weights under the `roberta.` prefix in task checkpoints.
import {
  type FromPretrainedOptions,
  type HFConfigJSON,
  loadCheckpointInto,
  readPretrainedConfig,
} from "@warmstart/modeling";
import { robertaConfigFromHF, type RobertaConfig } from "./config.js";
import { BertModel, type EncoderOptions } from "../bert/model.js";

export class RobertaModel extends BertModel {
  declare readonly config: RobertaConfig;

  constructor(config: RobertaConfig, options: EncoderOptions = {}) {
    super(config, options);
  }

  static override fromConfig(json: HFConfigJSON, options: EncoderOptions = {}): RobertaModel {
    return new RobertaModel(robertaConfigFromHF(json), options);
  }

  static override async fromPretrained(
    idOrPath: string,
    options: EncoderOptions & FromPretrainedOptions = {},
  ): Promise<RobertaModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(new RobertaModel(robertaConfigFromHF(json), options), dir, options);
  }
}
