export { bertConfigFromHF, bertConfigToHF, type BertConfig } from "./bert/config.js";
export { robertaConfigFromHF, robertaConfigToHF, type RobertaConfig } from "./roberta/config.js";
export { bertEmbeddingSpecs, bertEncoderSpecs, bertPoolerSpecs } from "./bert/weights.js";
export {
  BertModel,
  bertEmbeddings,
  bertEncoder,
  bertLayer,
  prepareBertInputs,
  type BertInputs,
  type BertLayerArgs,
  type EncoderInput,
  type EncoderOptions,
  type EncoderOutput,
  type LayerContext,
} from "./bert/model.js";
export { RobertaModel } from "./roberta/model.js";
