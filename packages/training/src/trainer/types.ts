import type { SeededRandom } from "@warmstart/core";
import type { tf } from "@warmstart/tensors";
import type { AdamWOptions } from "../optim/adamw.js";
import type { ScheduleSpec } from "../optim/schedules.js";

/**
 * What the trainer needs from a model: its parameters, a forward pass that returns a scalar `loss` for a
 * batch with labels (the composer's `EncoderDecoderModel.forward({..., labels})`), and HF-layout saving.
 * Other outputs of `forward` are disposed by the trainer.
 */
export interface TrainableModel<Batch> {
  /** Every weight by its HF state-dict name; a tied variable may appear under several names. */
  namedParameters(): ReadonlyMap<string, tf.Variable>;
  forward(batch: Batch): { loss?: tf.Scalar | tf.Tensor };
  savePretrained(dir: string): Promise<void>;
  /** Switch dropout on/off, when the model has it. */
  train?(): unknown;
  eval?(): unknown;
  /**
   * The model's own random state (its dropout streams) as a JSON value, and its restore; a model with
   * dropout needs both so that a resumed run repeats the uninterrupted run's masks, hence its losses.
   */
  getRandomState?(): unknown;
  setRandomState?(state: unknown): void;
}

export interface EvaluationOptions<Example> {
  examples: readonly Example[];
  /** Evaluate every this many optimizer steps (and at the end of training). */
  everySteps: number;
  /** Default: the training batch size. */
  batchSize?: number;
  /**
   * Predict-with-generate: one output text per example. `at` says which evaluation this is (the optimizer step and
   * the run's seed), so that sampled predictions can be seeded from it and repeat after a resume.
   */
  predict?: (examples: readonly Example[], at: { step: number; seed: number }) => Promise<string[]>;
  /** Metrics over the predictions, e.g. `{ sari }` from @warmstart/evaluation; logged as `eval_<name>`. */
  metrics?: (
    predictions: string[],
    examples: readonly Example[],
  ) => Record<string, number> | Promise<Record<string, number>>;
  /** Which result picks the best checkpoint ("loss" or a metric name); default "loss". */
  metricForBestModel?: string;
  /** Default: false for "loss", true for any other metric. */
  greaterIsBetter?: boolean;
  /** Stop after this many evaluations without improvement. */
  earlyStoppingPatience?: number;
}

export interface TrainerOptions<Example, Batch> {
  model: TrainableModel<Batch>;
  trainExamples: readonly Example[];
  /** Turns examples into a model batch (tokenise, pad, labels); `rng` is the trainer's, saved in checkpoints. */
  collate: (examples: readonly Example[], rng: SeededRandom) => Batch | Promise<Batch>;
  batchSize: number;
  /** Micro-batches per optimizer step (default 1); the step uses their mean gradient. */
  gradientAccumulationSteps?: number;
  /** Stop after this many optimizer steps; otherwise after `epochs` (default 3, as TrainingArguments' num_train_epochs). */
  maxSteps?: number;
  epochs?: number;
  /** AdamW settings; unset fields take TrainingArguments' defaults (weight_decay 0, betas (0.9, 0.999), eps 1e-8). */
  optimizer?: AdamWOptions;
  /** Default: linear decay from `learningRate` (5e-5) to 0 without warm-up, as the HF Trainer. */
  schedule?: ScheduleSpec;
  learningRate?: number;
  /** Warm-up steps of the default linear schedule (default 0). */
  warmupSteps?: number;
  /** Clip the global gradient norm to this (default 1.0, as HF); `null` disables clipping. */
  maxGradNorm?: number | null;
  /** Seed of data order and of the collate rng (default 42). */
  seed?: number;
  /** Sort examples of similar length into the same batch; gives each example's length. */
  lengthOf?: (example: Example) => number;
  /** Target tokens of a batch for tokens/s (default: labels that are not -100, when the batch has `labels`). */
  countTokens?: (batch: Batch) => number;
  /** Where checkpoints and the JSONL log go. */
  outputDir?: string;
  /** Checkpoint every this many optimizer steps and at the end (default 500, as HF's save_steps) when outputDir is set. */
  saveSteps?: number;
  saveTotalLimit?: number;
  /** Log every this many optimizer steps and at the end (default 500, as HF's logging_steps). */
  loggingSteps?: number;
  /** Console output (default console.log); pass `() => {}` to silence. */
  log?: (line: string) => void;
  /** JSONL log path (default `<outputDir>/training_log.jsonl` when outputDir is set). */
  logFile?: string;
  evaluation?: EvaluationOptions<Example>;
}

export interface TrainResult {
  globalStep: number;
  /** Mean loss of every optimizer step run by this call, in order. */
  losses: number[];
  stoppedEarly: boolean;
  bestMetric: number | null;
  bestModelCheckpoint: string | null;
  lastCheckpoint: string | null;
}
