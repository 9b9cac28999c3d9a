import type { CommandContext } from "../framework/context.js";
import { counted } from "../framework/plural.js";

/**
 * `--steps` with `--epochs`: as in transformers, where `max_steps` overrides `num_train_epochs`, the step count
 * wins; the user named both, so say which one is ignored rather than drop it silently.
 */
export function warnStepsOverrideEpochs(ctx: CommandContext, flags: { steps?: number; epochs?: number }): void {
  if (flags.steps === undefined || flags.epochs === undefined) return;
  ctx.warn(
    `--steps ${flags.steps} overrides --epochs ${flags.epochs} (as max_steps overrides num_train_epochs in ` +
      `transformers): training stops after ${counted(flags.steps, "step")} and --epochs is ignored`,
  );
}

/**
 * Warm-up longer than the whole run: the learning rate is still rising when training ends and never reaches the
 * peak given with --lr. transformers runs it as asked; the run is valid, but rarely what was meant.
 */
export function warnWarmupLongerThanTraining(
  ctx: CommandContext,
  warmupSteps: number,
  totalSteps: number,
  learningRate: number,
): void {
  if (warmupSteps <= totalSteps) return;
  ctx.warn(
    `--warmup-steps ${warmupSteps} is longer than the training (${counted(totalSteps, "step")}, from --steps or ` +
      `--epochs): the learning rate rises for the whole run and never reaches --lr ${learningRate}`,
  );
}
