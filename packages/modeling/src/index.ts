export { ModelConfigError, ModelInputError, WeightLoadError } from "./errors.js";
export { ConfigReader, modelTypeOf, type HFConfigJSON } from "./config.js";
export { activation, isKnownActivation } from "./activations.js";
export { readIdBatch, checkIdRange, checkShape, readMask, type IdBatch, type IdInput } from "./inputs.js";
export { splitHeads, mergeHeads, sharedKeyAttention, type CrossAttentionInput } from "./attention.js";
export { paddingMask, causalPaddingMask, causalMask } from "./masks.js";
export {
  reorderCache,
  disposeCache,
  cachedLength,
  type KeyValueCache,
  type LayerKeyValues,
  type ReorderCacheOptions,
} from "./key-values.js";
export { formatLoadReport, type LoadReport } from "./load-report.js";
export {
  PretrainedModule,
  layerNormSpecs,
  linearSpecs,
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
export { readPretrainedConfig, loadCheckpointInto, type FromPretrainedOptions } from "./pretrained.js";
