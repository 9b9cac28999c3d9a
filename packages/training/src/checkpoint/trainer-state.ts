import { TrainingError } from "../errors.js";
import type { DataPosition } from "../data/batching.js";
import { validateSchedule, type ScheduleSpec } from "../optim/schedules.js";

export const TRAINER_STATE_FILE = "trainer_state.json";

/** One entry of the log history: the training log lines and the evaluation results, as in HF's log_history. */
export interface LogEntry {
  step: number;
  epoch: number;
  [key: string]: number | string | null;
}

/** Everything besides weights and optimizer moments a run needs to continue exactly. */
export interface TrainerState {
  /**
   * Names the run (a random id taken when it starts, kept across resumes), so that a resume never continues
   * from another run's checkpoint left in the same folder; null in checkpoints written before it was recorded.
   */
  runId: string | null;
  globalStep: number;
  /** Fractional epoch, as HF writes it: epochs done + share of the current one. */
  epoch: number;
  schedule: ScheduleSpec;
  /** State of the trainer's generator (masking, sampling). */
  rngState: number[];
  /** The model's random state (dropout streams, `TrainableModel.getRandomState`); null for a model without one. */
  modelRandomState: unknown;
  /** The next batch the data iterator yields. */
  dataPosition: DataPosition;
  dataSeed: number;
  metricForBestModel: string | null;
  greaterIsBetter: boolean;
  bestMetric: number | null;
  bestModelCheckpoint: string | null;
  /** Evaluations without improvement so far (early stopping). */
  evaluationsWithoutImprovement: number;
  logHistory: LogEntry[];
}

const FORMAT = "warmstart-trainer-state";
const VERSION = 1;

/** The JSON text of a trainer_state.json (HF's snake_case keys where HF has the field). */
export function trainerStateToJson(state: TrainerState): string {
  return `${JSON.stringify(
    {
      format: FORMAT,
      format_version: VERSION,
      run_id: state.runId,
      global_step: state.globalStep,
      epoch: state.epoch,
      best_metric: state.bestMetric,
      best_model_checkpoint: state.bestModelCheckpoint,
      metric_for_best_model: state.metricForBestModel,
      greater_is_better: state.greaterIsBetter,
      evaluations_without_improvement: state.evaluationsWithoutImprovement,
      schedule: state.schedule,
      rng_state: state.rngState,
      model_random_state: state.modelRandomState,
      data_position: state.dataPosition,
      data_seed: state.dataSeed,
      log_history: state.logHistory,
    },
    null,
    2,
  )}\n`;
}

/** Parses and checks a trainer_state.json; `file` is named in every error. */
export function trainerStateFromJson(text: string, file: string): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TrainingError("CHECKPOINT_MISMATCH", `${file}: not valid JSON (${(error as Error).message})`);
  }
  const bad = (field: string, expected: string): never => {
    throw new TrainingError("CHECKPOINT_MISMATCH", `${file}: field "${field}" should be ${expected}`);
  };
  if (typeof raw !== "object" || raw === null) bad("(root)", "an object");
  const o = raw as Record<string, unknown>;
  if (o.format !== FORMAT) bad("format", `"${FORMAT}" (is this a warmstart trainer checkpoint?)`);
  if (o.format_version !== VERSION) bad("format_version", String(VERSION));
  const int = (field: string): number => {
    const v = o[field];
    return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : bad(field, "an integer >= 0");
  };
  const numOrNull = (field: string): number | null => {
    const v = o[field];
    return v === null || typeof v === "number" ? v : bad(field, "a number or null");
  };
  const strOrNull = (field: string): string | null => {
    const v = o[field];
    return v === null || typeof v === "string" ? v : bad(field, "a string or null");
  };
  const position = o.data_position as Record<string, unknown> | undefined;
  if (
    typeof position !== "object" ||
    position === null ||
    !Number.isInteger(position.epoch) ||
    !Number.isInteger(position.batch)
  ) {
    bad("data_position", "{ epoch, batch } integers");
  }
  const rng = o.rng_state;
  // Six words (SeededRandom's state with its fork key); four in checkpoints written before the fork key existed.
  if (!Array.isArray(rng) || (rng.length !== 6 && rng.length !== 4) || !rng.every((w) => Number.isInteger(w))) {
    bad("rng_state", "six (or, from older checkpoints, four) integers");
  }
  if (typeof o.greater_is_better !== "boolean") bad("greater_is_better", "a boolean");
  if (!Array.isArray(o.log_history)) bad("log_history", "an array");
  if (typeof o.epoch !== "number") bad("epoch", "a number");
  if (typeof o.schedule !== "object" || o.schedule === null) bad("schedule", "an object");
  let schedule: ScheduleSpec;
  try {
    schedule = validateSchedule(o.schedule as ScheduleSpec);
  } catch (error) {
    throw new TrainingError("CHECKPOINT_MISMATCH", `${file}: ${(error as Error).message}`);
  }
  return {
    // Absent in checkpoints written before runs had ids.
    runId: o.run_id === undefined ? null : strOrNull("run_id"),
    globalStep: int("global_step"),
    epoch: o.epoch as number,
    schedule,
    rngState: rng as number[],
    // Absent in checkpoints written before it was recorded: those runs resume with the model's fresh stream.
    modelRandomState: o.model_random_state ?? null,
    dataPosition: { epoch: position?.epoch as number, batch: position?.batch as number },
    dataSeed: int("data_seed"),
    metricForBestModel: strOrNull("metric_for_best_model"),
    greaterIsBetter: o.greater_is_better as boolean,
    bestMetric: numOrNull("best_metric"),
    bestModelCheckpoint: strOrNull("best_model_checkpoint"),
    evaluationsWithoutImprovement: int("evaluations_without_improvement"),
    logHistory: o.log_history as LogEntry[],
  };
}
