import { TrainingError } from "../errors.js";

/**
 * A learning-rate schedule as data, so a checkpoint can store it. `learningRate(spec, step)` gives the rate
 * used by the optimizer update number `step` (0-based), which is how PyTorch's LambdaLR is driven by the HF
 * Trainer: the first update uses factor(0), then `scheduler.step()` moves to factor(1), and so on.
 */
export type ScheduleSpec =
  | { kind: "constant"; lr: number }
  | { kind: "constantWithWarmup"; lr: number; warmupSteps: number }
  | { kind: "linear"; lr: number; warmupSteps: number; totalSteps: number };

/** Factor of HF `get_linear_schedule_with_warmup`: 0→1 over the warm-up, then 1→0 at `totalSteps`. */
export function linearWarmupDecayFactor(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** Factor of HF `get_constant_schedule_with_warmup`. */
export function constantWithWarmupFactor(step: number, warmupSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return 1;
}

export function learningRate(spec: ScheduleSpec, step: number): number {
  switch (spec.kind) {
    case "constant":
      return spec.lr;
    case "constantWithWarmup":
      return spec.lr * constantWithWarmupFactor(step, spec.warmupSteps);
    case "linear":
      return spec.lr * linearWarmupDecayFactor(step, spec.warmupSteps, spec.totalSteps);
  }
}

/** Checks a spec read from a user or a checkpoint; throws naming the bad field. */
export function validateSchedule(spec: ScheduleSpec): ScheduleSpec {
  const finiteNonNegative = (field: string, value: unknown): void => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new TrainingError("INVALID_OPTION", `schedule.${field} must be a finite number >= 0, got ${String(value)}`);
    }
  };
  finiteNonNegative("lr", spec.lr);
  if (spec.kind === "constantWithWarmup" || spec.kind === "linear") finiteNonNegative("warmupSteps", spec.warmupSteps);
  if (spec.kind === "linear") finiteNonNegative("totalSteps", spec.totalSteps);
  if (!["constant", "constantWithWarmup", "linear"].includes(spec.kind)) {
    throw new TrainingError(
      "INVALID_OPTION",
      `schedule.kind must be constant, constantWithWarmup or linear, got ${String(spec.kind)}`,
    );
  }
  return spec;
}
