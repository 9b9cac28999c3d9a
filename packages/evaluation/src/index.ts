export { EvaluationError, type EvaluationErrorCode, type EvaluationErrorDetails } from "./errors.js";
export { PorterStemmer, type PorterMode } from "./porter-stemmer.js";
export {
  bootstrapAggregate,
  percentileSorted,
  type AggregateTriple,
  type BootstrapOptions,
  type Triple,
} from "./bootstrap.js";
export {
  bootstrapScores,
  pairedBootstrapScores,
  type PairedBootstrapInput,
  type PairedScoreInterval,
  type ScoreInterval,
} from "./score-intervals.js";
export {
  DEFAULT_ROUGE_TYPES,
  MAX_LCS_CELLS,
  rouge,
  RougeScorer,
  tokenizeForRouge,
  type RougeAggregate,
  type RougeOptions,
  type RougeScorerOptions,
  type RougeScores,
  type RougeTokenizer,
  type RougeType,
} from "./rouge.js";
export {
  bleu,
  computeBleu,
  sentenceBleu,
  SMOOTH_DEFAULTS,
  type BleuOptions,
  type BleuResult,
  type BleuScore,
  type BleuStatistics,
  type SmoothMethod,
} from "./bleu.js";
export { tokenize13a, tokenizeChar, tokenizeIntl, type BleuTokenizerName } from "./bleu-tokenizers.js";
export { sari, sariSentence, type SariResult } from "./sari.js";
export { exactMatch, type ExactMatchOptions, type ExactMatchResult } from "./exact-match.js";
export {
  createMetric,
  StreamingBleu,
  StreamingExactMatch,
  StreamingRouge,
  StreamingSari,
  type BleuBatch,
  type ExactMatchBatch,
  type MetricName,
  type RougeBatch,
  type SariBatch,
  type StreamingMetric,
} from "./streaming.js";
export {
  computeMetrics,
  getMetric,
  metricNames,
  registerMetric,
  scoreNames,
  selectMetrics,
  type MetricDefinition,
  type MetricInput,
  type MetricSelection,
} from "./registry.js";
