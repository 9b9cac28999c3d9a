export { ModelConfigError, ModelInputError, WeightLoadError } from "./errors.js";
export { ConfigReader, modelTypeOf, type HFConfigJson } from "./config-fields.js";
export { activation, isKnownActivation } from "./activations.js";
export {
  bertConfigFromHF,
  bertConfigToHF,
  robertaConfigFromHF,
  robertaConfigToHF,
  type BertConfig,
  type RobertaConfig,
} from "./bert-config.js";
export { readIdBatch, checkIdRange, checkShape, readMask, type IdBatch, type IdInput } from "./inputs.js";
export {
  attend,
  splitHeads,
  mergeHeads,
  paddingMask,
  causalPaddingMask,
  gpt2CausalMask,
  FLOAT32_MIN,
} from "./attention.js";
export { formatLoadReport, type LoadReport } from "./load-report.js";
export {
  PretrainedModule,
  specsToShapes,
  type DropoutState,
  type LoadOptions,
  type ModelOptions,
  type ParameterInit,
  type ParameterSpec,
  type ParameterSpecs,
  type WeightNaming,
  type WeightSource,
} from "./module.js";
export {
  bertEmbeddings,
  bertEmbeddingSpecs,
  bertEncoder,
  bertEncoderSpecs,
  bertLayer,
  bertPoolerSpecs,
  layerNormSpecs,
  prepareBertInputs,
  type BertInputs,
  type BertLayerArgs,
  type CrossAttentionInput,
  type LayerContext,
  type LayerKeyValues,
} from "./bert-layers.js";
export { readPretrainedConfig, loadCheckpointInto, type FromPretrainedOptions } from "./pretrained.js";
export { BertModel, type EncoderInput, type EncoderOptions, type EncoderOutput } from "./bert.js";
export { RobertaModel } from "./roberta.js";
export { AutoEncoder } from "./auto.js";
