export {
  EncoderDecoderModel,
  type EncoderState,
  type FromPretrainedOptions,
  type ModelRandomState,
  type Seq2SeqInputs,
  type Seq2SeqOutput,
  type WarmStartOptions,
} from "./encoder-decoder-model.js";
export {
  EncoderDecoderConfig,
  ENCODER_DECODER_MODEL_TYPES,
  type HFConfigJSON,
  type SpecialTokens,
} from "./encoder-decoder-config.js";
export { describeComposition, type DescribeOptions } from "./describe-composition.js";
export {
  modelFamilies,
  modelFamily,
  modelTypes,
  registerModelFamily,
  unregisterModelFamily,
} from "./families/registry.js";
export type {
  DecoderBuildOptions,
  EncoderBuildOptions,
  FamilyDecoder,
  FamilyEncoder,
  FamilyPretraining,
  FamilyTokenizer,
  ModelFamily,
  PretrainObjective,
} from "./families/model-family.js";
export { AutoDecoder, AutoEncoder } from "./families/auto.js";
export type { DecoderModule, EncoderModule } from "./parts.js";
export {
  formatCompositionReport,
  formatCompositionTable,
  type CompositionReport,
  type CompositionRow,
  type PartCounts,
} from "./composition-report.js";
export {
  PAPER_COMPOSITIONS,
  describePaperCompositions,
  paperCompositions,
  type PaperCheckpoints,
  type PaperComposition,
} from "./paper-compositions.js";
export { BASE_CONFIG_NAMES, baseConfig, type BaseConfigName } from "./base-configs.js";
export { recoverInterruptedSave } from "./atomic-folder.js";
export { convertToSafetensors, type ConversionReport } from "./convert.js";
export { ComposerError, type ComposerErrorCode } from "./errors.js";
// Defined once in @warmstart/core; re-exported because composer's public API held them before.
export { IGNORE_INDEX, shiftTokensRight } from "@warmstart/core";
export { maskedCrossEntropy } from "./loss.js";
export type { PartSpec } from "./part-source.js";
export * from "./generation/index.js";
