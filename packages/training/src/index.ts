export { TrainingError, type TrainingErrorCode } from "./errors.js";

export {
  AdamW,
  type AdamWOptions,
  type AdamWParameterState,
  type AdamWState,
  type ParameterGradient,
} from "./optim/adamw.js";
export { decaysWeight } from "./optim/decay.js";
export {
  constantWithWarmupFactor,
  learningRate,
  linearWarmupDecayFactor,
  validateSchedule,
  type ScheduleSpec,
} from "./optim/schedules.js";
export { clipGradNorm } from "./optim/clip.js";
export { GradientAccumulator } from "./optim/accumulate.js";

// The trainer's generator (collate's `rng`, saved in checkpoints) is core's; re-exported for collate authors.
export { SeededRandom } from "@warmstart/core";
export {
  BatchIterator,
  planEpoch,
  type BatchPlanOptions,
  type DataPosition,
  type PlannedBatch,
} from "./data/batching.js";
export { parseCsv, parseTsv, type DelimitedRecord } from "./data/delimited.js";
export {
  describeMalformed,
  formatFromExtension,
  parsePairs,
  readPairs,
  type ColumnMapping,
  type ColumnRef,
  type MalformedRow,
  type PairFormat,
  type ReadPairsOptions,
  type ReadPairsResult,
  type Seq2SeqExample,
} from "./data/read-pairs.js";

export { IGNORE_INDEX } from "@warmstart/core";
export { maskTokens, type MaskedBatch, type MaskTokensOptions } from "./lm/mlm.js";
export { causalLmLabels, groupTexts } from "./lm/clm.js";

export {
  CHECKPOINT_PREFIX,
  checkpointName,
  listCheckpoints,
  recoverInterruptedWrites,
  rotateCheckpoints,
  type CheckpointEntry,
} from "./checkpoint/folders.js";
export {
  writeCheckpoint,
  type CheckpointContents,
  type WriteCheckpointOptions,
} from "./checkpoint/write-checkpoint.js";
export { loadWeightsInto, readCheckpoint, type LoadedCheckpoint } from "./checkpoint/read-checkpoint.js";
export { acquireOutputLock, OUTPUT_LOCK_FILE, type LockHolder, type OutputLock } from "./checkpoint/output-lock.js";
export { OPTIMIZER_FILE, readOptimizerState, writeOptimizerState } from "./checkpoint/optimizer-file.js";
export {
  TRAINER_STATE_FILE,
  trainerStateFromJson,
  trainerStateToJson,
  type LogEntry,
  type TrainerState,
} from "./checkpoint/trainer-state.js";

export { Trainer } from "./trainer/trainer.js";
export { TRAINER_DEFAULTS } from "./trainer/defaults.js";
export type { EvaluationOptions, TrainableModel, TrainerOptions, TrainResult } from "./trainer/types.js";
export {
  Seq2SeqTrainer,
  type Seq2SeqEvaluationOptions,
  type Seq2SeqTrainerOptions,
} from "./trainer/seq2seq-trainer.js";
export { checkSeq2SeqMetrics, seq2seqMetric, seq2seqScores, type Seq2SeqMetricName } from "./trainer/metrics.js";
export { formatDuration, formatProgress, JsonlLog, type ProgressLine } from "./trainer/progress.js";

export { pretrain, type PretrainOptions, type PretrainResult } from "./pretrain/pretrain.js";
export { LanguageModel, type LanguageModelBatch, type PretrainObjective } from "./pretrain/language-model.js";
export { readTextLines, tokenBlocks } from "./pretrain/blocks.js";
