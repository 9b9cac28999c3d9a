export {
  bertConfigFromHF,
  bertConfigToHF,
  robertaConfigFromHF,
  robertaConfigToHF,
  type BertConfig,
  type RobertaConfig,
} from "./bert-config.js";
export {
  bertEmbeddings,
  bertEmbeddingSpecs,
  bertEncoder,
  bertEncoderSpecs,
  bertLayer,
  bertPoolerSpecs,
  prepareBertInputs,
  type BertInputs,
  type BertLayerArgs,
  type LayerContext,
} from "./bert-layers.js";
export { BertModel, type EncoderInput, type EncoderOptions, type EncoderOutput } from "./bert.js";
export { RobertaModel } from "./roberta.js";
export { AutoEncoder } from "./auto.js";
