import type { CommandContext } from "../framework/context.js";
import type { ProgressBar } from "../framework/progress.js";

/**
 * The trainer reports progress as log lines ("step 10/200 (5%) loss 3.1234 lr … ETA 1m05s"). This turns
 * those into a progress bar (redrawn in place on a TTY, periodic lines otherwise) and passes every other line
 * (evaluations, checkpoints) to the log.
 */
export function trainerLog(ctx: CommandContext, label: string): { log: (line: string) => void; finish: () => void } {
  let bar: ProgressBar | undefined;
  const log = (line: string): void => {
    const match = /^step (\d+)\/(\d+)/.exec(line);
    if (match === null) {
      ctx.log(line);
      return;
    }
    // The first report starts the clock: steps before it (and any resumed ones) do not count towards the rate.
    bar ??= ctx.progress(label, Number(match[2]), Number(match[1]));
    const loss = /loss (\S+)/.exec(line)?.[1];
    bar.update(Number(match[1]), loss === undefined ? undefined : `loss ${loss}`);
  };
  return { log, finish: () => bar?.finish() };
}
