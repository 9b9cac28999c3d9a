import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { IGNORE_INDEX, SeededRandom } from "@warmstart/core";
import { ensureBackend, tf } from "@warmstart/tensors";
import { BatchIterator, planEpoch } from "../data/batching.js";
import { TrainingError } from "../errors.js";
import { TRAINER_DEFAULTS } from "./defaults.js";
import {
  listCheckpoints,
  recoverInterruptedWrites,
  rotateCheckpoints,
  type CheckpointEntry,
} from "../checkpoint/folders.js";
import { loadWeightsInto, readCheckpoint } from "../checkpoint/read-checkpoint.js";
import {
  TRAINER_STATE_FILE,
  trainerStateFromJson,
  type LogEntry,
  type TrainerState,
} from "../checkpoint/trainer-state.js";
import { writeCheckpoint } from "../checkpoint/write-checkpoint.js";
import { GradientAccumulator } from "../optim/accumulate.js";
import { AdamW, type ParameterGradient } from "../optim/adamw.js";
import { clipGradNorm } from "../optim/clip.js";
import { learningRate, validateSchedule, type ScheduleSpec } from "../optim/schedules.js";
import { formatProgress, JsonlLog } from "./progress.js";
import type { TrainerOptions, TrainResult } from "./types.js";

/**
 * The training loop: batches from a seeded, resumable iterator; loss and gradients with `tf.variableGrads`;
 * gradient accumulation, clipping and AdamW in JS memory; a learning-rate schedule; logging; evaluation with
 * predict-with-generate; best-checkpoint tracking, early stopping; atomic checkpoints with rotation; and
 * resume that continues bit for bit (weights, moments, schedule step, data position and rng are restored).
 */
export class Trainer<Example, Batch> {
  readonly options: TrainerOptions<Example, Batch>;
  readonly optimizer: AdamW;
  readonly schedule: ScheduleSpec;
  readonly totalSteps: number;
  readonly #iterator: BatchIterator;
  readonly #log: (line: string) => void;
  readonly #jsonl: JsonlLog | undefined;
  readonly #accumulation: number;
  readonly #batchesPerEpoch: number;
  #state: TrainerState;
  #rng: SeededRandom;
  #lastCheckpoint: string | null = null;

  constructor(options: TrainerOptions<Example, Batch>) {
    this.options = options;
    const positive = (field: string, value: number | undefined): void => {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new TrainingError("INVALID_OPTION", `trainer option ${field} must be a positive integer, got ${value}`);
      }
    };
    positive("batchSize", options.batchSize);
    positive("gradientAccumulationSteps", options.gradientAccumulationSteps);
    positive("maxSteps", options.maxSteps);
    positive("saveSteps", options.saveSteps);
    positive("saveTotalLimit", options.saveTotalLimit);
    positive("loggingSteps", options.loggingSteps);
    positive("evaluation.everySteps", options.evaluation?.everySteps);
    if (options.trainExamples.length === 0) throw new TrainingError("INVALID_OPTION", "trainExamples is empty");
    if (options.saveSteps !== undefined && options.outputDir === undefined) {
      throw new TrainingError("INVALID_OPTION", "saveSteps needs outputDir");
    }
    const seed = options.seed ?? TRAINER_DEFAULTS.seed;
    this.#accumulation = options.gradientAccumulationSteps ?? TRAINER_DEFAULTS.gradientAccumulationSteps;
    const lengths = options.lengthOf === undefined ? undefined : options.trainExamples.map(options.lengthOf);
    const plan = { batchSize: options.batchSize, seed, lengths };
    this.#iterator = new BatchIterator(options.trainExamples.length, plan);
    const perEpoch = planEpoch(options.trainExamples.length, 0, plan).length;
    this.totalSteps =
      options.maxSteps ?? Math.ceil(((options.epochs ?? TRAINER_DEFAULTS.epochs) * perEpoch) / this.#accumulation);
    this.schedule = validateSchedule(
      options.schedule ?? {
        kind: TRAINER_DEFAULTS.schedule,
        lr: options.learningRate ?? TRAINER_DEFAULTS.learningRate,
        warmupSteps: options.warmupSteps ?? TRAINER_DEFAULTS.warmupSteps,
        totalSteps: this.totalSteps,
      },
    );
    // TrainingArguments' weight_decay, betas and epsilon, where the caller's optimizer options leave them out.
    const optimizer = options.optimizer ?? {};
    this.optimizer = new AdamW({
      ...optimizer,
      betas: optimizer.betas ?? TRAINER_DEFAULTS.betas,
      eps: optimizer.eps ?? TRAINER_DEFAULTS.eps,
      weightDecay: optimizer.weightDecay ?? TRAINER_DEFAULTS.weightDecay,
    });
    this.#rng = new SeededRandom(seed ^ 0x5bd1e995);
    this.#log = options.log ?? ((line: string) => console.log(line));
    const logFile =
      options.logFile ?? (options.outputDir === undefined ? undefined : join(options.outputDir, "training_log.jsonl"));
    this.#jsonl = logFile === undefined ? undefined : new JsonlLog(logFile);
    const evaluation = options.evaluation;
    const metric = evaluation?.metricForBestModel ?? "loss";
    this.#state = {
      runId: randomUUID(),
      globalStep: 0,
      epoch: 0,
      schedule: this.schedule,
      rngState: this.#rng.getState(),
      modelRandomState: options.model.getRandomState?.() ?? null,
      dataPosition: this.#iterator.position,
      dataSeed: seed,
      metricForBestModel: evaluation === undefined ? null : metric,
      // TrainingArguments: greater_is_better defaults to whether metric_for_best_model does not end in "loss".
      greaterIsBetter: evaluation?.greaterIsBetter ?? !metric.endsWith("loss"),
      bestMetric: null,
      bestModelCheckpoint: null,
      evaluationsWithoutImprovement: 0,
      logHistory: [],
    };
    this.#batchesPerEpoch = perEpoch;
  }

  get globalStep(): number {
    return this.#state.globalStep;
  }

  get logHistory(): LogEntry[] {
    return this.#state.logHistory.slice();
  }

  /**
   * Restores a checkpoint folder (or "latest" in `outputDir`): weights, optimizer moments, step, data
   * position, rng, best metric and log history.
   */
  async resume(from: string): Promise<void> {
    await ensureBackend();
    let dir = from;
    if (from === "latest") {
      if (this.options.outputDir === undefined) {
        throw new TrainingError("INVALID_OPTION", 'resume("latest") needs outputDir');
      }
      await recoverInterruptedWrites(this.options.outputDir);
      const checkpoints = await listCheckpoints(this.options.outputDir);
      const latest = checkpoints.at(-1);
      if (latest === undefined) {
        throw new TrainingError("CHECKPOINT_NOT_FOUND", `no checkpoint-<step> folder in ${this.options.outputDir}`);
      }
      await refuseMixedRuns(this.options.outputDir, checkpoints);
      dir = latest.path;
    }
    const { trainerState, optimizer } = await readCheckpoint(dir);
    if (trainerState.dataSeed !== this.#state.dataSeed) {
      throw new TrainingError(
        "CHECKPOINT_MISMATCH",
        `${dir} was trained with seed ${trainerState.dataSeed}, this trainer has seed ${this.#state.dataSeed}; the data order would differ`,
      );
    }
    const { model } = this.options;
    if (trainerState.modelRandomState !== null) {
      if (model.setRandomState === undefined) {
        throw new TrainingError(
          "CHECKPOINT_MISMATCH",
          `${dir} holds a model random state (dropout) but this model has no setRandomState; the run would not continue exactly`,
        );
      }
      model.setRandomState(trainerState.modelRandomState);
    }
    await loadWeightsInto(model.namedParameters(), dir);
    this.optimizer.loadState(optimizer);
    this.#rng = SeededRandom.fromState(trainerState.rngState);
    this.#iterator.seek(trainerState.dataPosition);
    this.#state = { ...trainerState, schedule: this.schedule };
    this.#lastCheckpoint = dir;
    // One line per step: what the interrupted run logged after this checkpoint is logged again by this one.
    await this.#jsonl?.replace(this.#state.logHistory);
  }

  /** Trains until `totalSteps` (or early stopping); resumable from any checkpoint it writes. */
  async train(): Promise<TrainResult> {
    // The model may be any TrainableModel the caller wrote; the loop's gradients and losses are tensors.
    await ensureBackend();
    const { model } = this.options;
    const losses: number[] = [];
    const variables = this.#trainableVariables();
    const accumulator = new GradientAccumulator();
    const loggingSteps = this.options.loggingSteps ?? TRAINER_DEFAULTS.loggingSteps;
    let windowLoss = 0;
    let windowSteps = 0;
    let windowTokens = 0;
    let windowStart = performance.now();
    let runStart = performance.now();
    let stepsThisRun = 0;
    let stoppedEarly = false;
    model.train?.();
    while (this.#state.globalStep < this.totalSteps && !stoppedEarly) {
      const step = this.#state.globalStep;
      let stepLoss = 0;
      for (let micro = 0; micro < this.#accumulation; micro++) {
        const planned = this.#iterator.next();
        const examples = planned.indices.map((i) => this.options.trainExamples[i] as Example);
        const batch = await this.options.collate(examples, this.#rng);
        const loss = await this.#lossAndGradients(batch, variables, accumulator);
        if (!Number.isFinite(loss)) {
          throw new TrainingError(
            "NON_FINITE_LOSS",
            `loss is ${loss} at step ${step + 1} (epoch ${planned.epoch}, batch ${planned.batch}); training stopped before updating the weights. Last good checkpoint: ${this.#lastCheckpoint ?? "none"}`,
          );
        }
        stepLoss += loss;
        windowTokens += this.#countTokens(batch);
      }
      stepLoss /= this.#accumulation;
      const grads = accumulator.mean();
      accumulator.reset();
      // A weight outside the loss's graph (an unused pooler) gets no update at all, not even decay, as in
      // PyTorch, where parameters whose .grad is None are skipped.
      const entries: ParameterGradient[] = [];
      for (const { name, variable } of variables) {
        const grad = grads.get(name);
        if (grad !== undefined) entries.push({ name, variable, grad });
      }
      if (this.options.maxGradNorm !== null) {
        const norm = clipGradNorm(
          entries.map((e) => e.grad),
          this.options.maxGradNorm ?? TRAINER_DEFAULTS.maxGradNorm,
        );
        if (!Number.isFinite(norm)) {
          throw new TrainingError(
            "NON_FINITE_LOSS",
            `gradient norm is ${norm} at step ${step + 1} (loss ${stepLoss}); training stopped before updating the weights. Last good checkpoint: ${this.#lastCheckpoint ?? "none"}`,
          );
        }
      }
      const lr = learningRate(this.schedule, step);
      await this.optimizer.step(entries, lr);
      this.#state.globalStep = step + 1;
      this.#state.dataPosition = this.#iterator.position;
      this.#state.epoch = this.#state.dataPosition.epoch + this.#state.dataPosition.batch / this.#batchesPerEpoch;
      this.#state.rngState = this.#rng.getState();
      this.#state.modelRandomState = model.getRandomState?.() ?? null;
      losses.push(stepLoss);
      stepsThisRun += 1;
      windowLoss += stepLoss;
      windowSteps += 1;

      const done = this.#state.globalStep >= this.totalSteps;
      if (this.#state.globalStep % loggingSteps === 0 || done) {
        const seconds = (performance.now() - windowStart) / 1000;
        const entry: LogEntry = {
          step: this.#state.globalStep,
          epoch: round(this.#state.epoch, 4),
          loss: windowLoss / windowSteps,
          learning_rate: lr,
          tokens_per_second: seconds > 0 ? windowTokens / seconds : 0,
        };
        await this.#record(entry);
        this.#log(
          formatProgress({
            step: this.#state.globalStep,
            totalSteps: this.totalSteps,
            loss: windowLoss / windowSteps,
            learningRate: lr,
            tokensPerSecond: entry.tokens_per_second as number,
            elapsedSeconds: (performance.now() - runStart) / 1000,
            stepsThisRun,
          }),
        );
        windowLoss = 0;
        windowSteps = 0;
        windowTokens = 0;
        windowStart = performance.now();
      }

      // Evaluation and saving are left out of tokens/s and of the ETA's pace.
      const pauseStart = performance.now();
      const evaluation = this.options.evaluation;
      let improved = false;
      if (evaluation !== undefined && (this.#state.globalStep % evaluation.everySteps === 0 || done)) {
        const results = await this.evaluate();
        improved = this.#updateBest(results);
        if (
          evaluation.earlyStoppingPatience !== undefined &&
          this.#state.evaluationsWithoutImprovement >= evaluation.earlyStoppingPatience
        ) {
          stoppedEarly = true;
          this.#log(
            `early stopping at step ${this.#state.globalStep}: no improvement in ${evaluation.earlyStoppingPatience} evaluations`,
          );
        }
        model.train?.();
      }
      // save_strategy "steps": every saveSteps (default 500) and at the end, when there is an outputDir.
      const saveSteps = this.options.saveSteps ?? TRAINER_DEFAULTS.saveSteps;
      const scheduled = this.#state.globalStep % saveSteps === 0 || done || stoppedEarly;
      if (this.options.outputDir !== undefined && (scheduled || improved)) await this.saveCheckpoint(improved);
      const paused = performance.now() - pauseStart;
      windowStart += paused;
      runStart += paused;
    }
    return {
      globalStep: this.#state.globalStep,
      losses,
      stoppedEarly,
      bestMetric: this.#state.bestMetric,
      bestModelCheckpoint: this.#state.bestModelCheckpoint,
      lastCheckpoint: this.#lastCheckpoint,
    };
  }

  /** Evaluation loss over the evaluation examples, and predict-with-generate metrics when configured. */
  async evaluate(): Promise<Record<string, number>> {
    const evaluation = this.options.evaluation;
    if (evaluation === undefined) throw new TrainingError("INVALID_OPTION", "evaluate() needs the evaluation option");
    await ensureBackend();
    const { model } = this.options;
    model.eval?.();
    const size = evaluation.batchSize ?? this.options.batchSize;
    // Evaluation draws from its own generator so that it does not shift the training stream.
    const rng = new SeededRandom(this.#state.dataSeed ^ 0x27d4eb2f);
    let weighted = 0;
    let count = 0;
    for (let i = 0; i < evaluation.examples.length; i += size) {
      const chunk = evaluation.examples.slice(i, i + size);
      const batch = await this.options.collate(chunk, rng);
      const lossTensor = tf.tidy(() => {
        const out = model.forward(batch);
        if (out.loss === undefined) {
          throw new TrainingError("INVALID_STATE", "model.forward returned no loss; pass labels in the batch");
        }
        return out.loss;
      });
      const loss = (await lossTensor.data())[0] as number;
      lossTensor.dispose();
      weighted += loss * chunk.length;
      count += chunk.length;
    }
    const results: Record<string, number> = { loss: count > 0 ? weighted / count : Number.NaN };
    if (evaluation.predict !== undefined) {
      const predictions = await evaluation.predict(evaluation.examples, {
        step: this.#state.globalStep,
        seed: this.#state.dataSeed,
      });
      if (predictions.length !== evaluation.examples.length) {
        throw new TrainingError(
          "INVALID_STATE",
          `predict returned ${predictions.length} texts for ${evaluation.examples.length} examples`,
        );
      }
      if (evaluation.metrics !== undefined) {
        Object.assign(results, await evaluation.metrics(predictions, evaluation.examples));
      }
    }
    const entry: LogEntry = { step: this.#state.globalStep, epoch: round(this.#state.epoch, 4) };
    for (const [key, value] of Object.entries(results)) entry[`eval_${key}`] = value;
    await this.#record(entry);
    this.#log(
      `eval at step ${this.#state.globalStep}: ${Object.entries(results)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(", ")}`,
    );
    return results;
  }

  /** Writes `checkpoint-<step>` now (atomically) and rotates old ones. */
  async saveCheckpoint(best = false): Promise<string> {
    const outputDir = this.options.outputDir;
    if (outputDir === undefined) throw new TrainingError("INVALID_OPTION", "saveCheckpoint needs outputDir");
    const path = join(outputDir, `checkpoint-${this.#state.globalStep}`);
    const previousBest = this.#state.bestModelCheckpoint;
    // The checkpoint records itself as the best one, so the field is set before writing.
    if (best) this.#state.bestModelCheckpoint = path;
    try {
      await writeCheckpoint(outputDir, {
        saveModel: (dir) => this.options.model.savePretrained(dir),
        optimizer: this.optimizer.getState(),
        trainerState: this.#state,
      });
    } catch (error) {
      this.#state.bestModelCheckpoint = previousBest;
      throw error;
    }
    this.#lastCheckpoint = path;
    if (this.options.saveTotalLimit !== undefined) {
      await rotateCheckpoints(outputDir, this.options.saveTotalLimit, this.#state.bestModelCheckpoint);
    }
    return path;
  }

  #updateBest(results: Record<string, number>): boolean {
    const key = this.#state.metricForBestModel ?? "loss";
    const value = results[key];
    if (value === undefined) {
      throw new TrainingError(
        "INVALID_OPTION",
        `metricForBestModel "${key}" is not among the results (${Object.keys(results).join(", ")})`,
      );
    }
    const best = this.#state.bestMetric;
    const better = best === null || (this.#state.greaterIsBetter ? value > best : value < best);
    if (better) {
      this.#state.bestMetric = value;
      this.#state.evaluationsWithoutImprovement = 0;
    } else {
      this.#state.evaluationsWithoutImprovement += 1;
    }
    return better;
  }

  async #lossAndGradients(
    batch: Batch,
    variables: Array<{ name: string; variable: tf.Variable }>,
    accumulator: GradientAccumulator,
  ): Promise<number> {
    const { model } = this.options;
    const { value, grads } = tf.variableGrads(
      () => {
        const out = model.forward(batch);
        if (out.loss === undefined) {
          throw new TrainingError("INVALID_STATE", "model.forward returned no loss; pass labels in the batch");
        }
        return out.loss as tf.Scalar;
      },
      variables.map((v) => v.variable),
    );
    try {
      const values: Array<[string, ArrayLike<number>]> = [];
      for (const { name, variable } of variables) {
        const grad = grads[variable.name];
        if (grad !== undefined) values.push([name, (await grad.data()) as Float32Array]);
      }
      accumulator.add(values);
      return (await value.data())[0] as number;
    } finally {
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
    }
  }

  /** Each distinct trainable variable once, under its first HF name (a tied weight gets one update). */
  #trainableVariables(): Array<{ name: string; variable: tf.Variable }> {
    const seen = new Set<tf.Variable>();
    const out: Array<{ name: string; variable: tf.Variable }> = [];
    for (const [name, variable] of this.options.model.namedParameters()) {
      if (seen.has(variable) || !variable.trainable) continue;
      seen.add(variable);
      out.push({ name, variable });
    }
    return out;
  }

  #countTokens(batch: Batch): number {
    if (this.options.countTokens !== undefined) return this.options.countTokens(batch);
    const labels = (batch as { labels?: unknown }).labels;
    if (!Array.isArray(labels)) return 0;
    let n = 0;
    for (const row of labels as number[][]) for (const id of row) if (id !== IGNORE_INDEX) n += 1;
    return n;
  }

  async #record(entry: LogEntry): Promise<void> {
    this.#state.logHistory.push(entry);
    await this.#jsonl?.append(entry);
  }
}

/**
 * "latest" must be the newest checkpoint of one run: when the folder holds checkpoints of several runs (an
 * earlier run's left behind), the newest may not be the run the caller means, so nothing is guessed.
 */
async function refuseMixedRuns(outputDir: string, checkpoints: readonly CheckpointEntry[]): Promise<void> {
  const runs = new Map<string, number[]>();
  for (const { step, path } of checkpoints) {
    const file = join(path, TRAINER_STATE_FILE);
    const runId = trainerStateFromJson(await readFile(file, "utf8"), file).runId ?? "(no run id)";
    runs.set(runId, [...(runs.get(runId) ?? []), step]);
  }
  if (runs.size > 1) {
    const list = [...runs].map(([id, steps]) => `run ${id}: checkpoint-${steps.join(", checkpoint-")}`).join("; ");
    throw new TrainingError(
      "CHECKPOINT_MISMATCH",
      `${outputDir} holds checkpoints of ${runs.size} different runs (${list}); resume from one checkpoint folder explicitly, or remove the other run's`,
    );
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
