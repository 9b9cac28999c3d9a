export {
  checkGenerationOptions,
  DEFAULT_MAX_NEW_TOKENS,
  defaultGenerationConfig,
  generationConfigFromHF,
  generationJSONFromModelConfig,
  hfName,
  mergeGenerationConfig,
  unsupportedHFSettings,
  type GenerationConfig,
} from "./configuration.js";
export { GenerationError, type GenerationErrorCode } from "./errors.js";
export { generate, resolveGenerationSettings, type GenerateOptions, type GenerateOutput } from "./generate.js";
export {
  isCJKCodePoint,
  StreamerTimeoutError,
  TextIteratorStreamer,
  TextStreamer,
  type BaseStreamer,
  type StreamedTokens,
  type StreamerDecodeOptions,
  type StreamerTokenizer,
  type TextCallback,
  type TextIteratorStreamerOptions,
  type TextStreamerOptions,
} from "./streamers.js";
export {
  buildLogitsProcessors,
  EncoderNoRepeatNGramLogitsProcessor,
  EncoderRepetitionPenaltyLogitsProcessor,
  EpsilonLogitsWarper,
  EtaLogitsWarper,
  ExponentialDecayLengthPenalty,
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  InfNanRemoveLogitsProcessor,
  LogitNormalization,
  MinPLogitsWarper,
  SequenceBiasLogitsProcessor,
  SuppressTokensLogitsProcessor,
  TypicalLogitsWarper,
  LogitsProcessorList,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
  type LogitsProcessor,
} from "./logits-processors.js";
export type { DecodeStepArgs, DecodeStepResult, GenerationInputs, Seq2SeqStepModel } from "./model-interface.js";
export { mergeCustom, PrefixConstrainedLogitsProcessor, type PrefixAllowedTokensFn } from "./prefix-constrained.js";
export { computeTransitionScores } from "./transition-scores.js";
// The sampler's generator is the project's one seeded generator; re-exported as composer exported it before.
export { SeededRandom } from "@warmstart/core";
export { BeamHypotheses, type Hypothesis } from "./search/beam-hypotheses.js";
export { beamSearch, type BeamSearchOptions } from "./search/beam-search.js";
export {
  applyHammingDiversity,
  groupBeamSearch,
  LegacyBeamHypotheses,
  type GroupBeamSearchOptions,
} from "./search/group-beam-search.js";
export {
  checkConstraint,
  ConstraintListState,
  constraintsFromForceWordsIds,
  DisjunctiveConstraint,
  DisjunctiveTrie,
  PhrasalConstraint,
  type Constraint,
  type ConstraintProgress,
} from "./search/beam-constraints.js";
export { constrainedBeamSearch, type ConstrainedBeamSearchOptions } from "./search/constrained-beam-search.js";
export type { SearchContext, SearchOutput } from "./search/context.js";
export { greedySearch } from "./search/greedy.js";
export { sampleSearch, sampleToken } from "./search/sample.js";
export { multinomialSampler, type CandidateSampler } from "./search/sampler.js";
export {
  EosTokenCriteria,
  MaxLengthCriteria,
  MaxTimeCriteria,
  StopStringCriteria,
  type Clock,
  type DecodeFunction,
  type StopStringTokenizer,
  StoppingCriteriaList,
  type StoppingCriteria,
} from "./stopping-criteria.js";
export {
  generateText,
  generateTextWithOutput,
  type GenerateTextOptions,
  type TextGenerator,
  type TextTokenizer,
} from "./generate-text.js";
export { nextTokenScores, type StepScores } from "./search/next-token-scores.js";
