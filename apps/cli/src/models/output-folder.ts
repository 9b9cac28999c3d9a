import { realpathSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CliError } from "../framework/cli-error.js";
import type { CommandContext } from "../framework/context.js";

// Hidden lock of a training run (OUTPUT_LOCK_FILE in @warmstart/training): not content of the folder.
const LOCK_FILE = ".warmstart-train.lock";

/**
 * What an earlier training run leaves besides the model: checkpoints (and their side folders) and the JSONL log
 * (and the temporary a kill during its atomic rewrite leaves, `.training_log.jsonl.<pid>-<random>.tmp`).
 */
const RUN_ARTEFACT = /^(\.?checkpoint-\d+.*|training_log\.jsonl|\.training_log\.jsonl\.[\w-]+\.tmp)$/;

/** The names in `dir` other than the lock; none when it does not exist. */
async function contentsOf(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name !== LOCK_FILE).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

function listed(names: readonly string[]): string {
  return names.length <= 4 ? names.join(", ") : `${names.slice(0, 4).join(", ")} and ${names.length - 4} more`;
}

/** A local path as the file system resolves it (symlinks followed); the plain absolute path when absent. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Refuses to write `--out <dir>` over something by surprise: a folder that is not empty, unless `overwrite`
 * (HF's `overwrite_output_dir`; then the earlier run's checkpoints and log are removed so that neither a later
 * `--resume` nor the log mixes two runs) or `allowed` (e.g. `--resume`, which means to continue what is there).
 */
export async function refuseNonEmptyOutput(
  ctx: CommandContext,
  out: string,
  options: { overwrite: boolean; allowed?: boolean; command: string },
): Promise<void> {
  const names = await contentsOf(out);
  if (names.length === 0 || options.allowed === true) return;
  if (!options.overwrite) {
    throw new CliError(
      "USAGE",
      `--out ${out} is not empty (it holds ${listed(names)}); ${options.command} would overwrite it`,
      {
        hint: `pass --overwrite to replace what is there${options.command === "train" ? ", --resume to continue its run" : ""}, or choose an empty folder`,
      },
    );
  }
  const stale = names.filter((name) => RUN_ARTEFACT.test(name));
  for (const name of stale) await rm(join(out, name), { recursive: true, force: true });
  if (stale.length > 0) ctx.log(`--overwrite: removed the earlier run's ${listed(stale)} from ${out}`);
}

export interface ClaimedOutput {
  /** Lets go of the folder's lock (a crashed run's lock is taken over by the next one: its pid is gone). */
  release(): Promise<void>;
}

/**
 * Takes `--out` for a training run: never the `--model` folder itself, locked against a second run (the
 * lock names the holder), and empty unless `--overwrite` or `--resume` says what to do with its contents.
 */
export async function claimTrainingOutput(
  ctx: CommandContext,
  flags: { out: string; model: string; overwrite: boolean; resume: boolean },
): Promise<ClaimedOutput> {
  if (canonical(flags.out) === canonical(flags.model)) {
    throw new CliError(
      "USAGE",
      `--out ${flags.out} is the --model folder: training would overwrite its own input model`,
      {
        hint: "choose another --out folder",
      },
    );
  }
  if (flags.overwrite && flags.resume) {
    throw new CliError(
      "USAGE",
      "--overwrite and --resume contradict each other: one replaces the earlier run, the other continues it",
      {
        hint: "drop one of them",
      },
    );
  }
  const { acquireOutputLock } = await import("@warmstart/training");
  let lock: { release(): Promise<void> };
  try {
    lock = await acquireOutputLock(flags.out);
  } catch (error) {
    if ((error as { code?: string }).code !== "OUTPUT_LOCKED") throw error;
    throw new CliError("FAILED", (error as Error).message, {
      hint: "two runs in one --out would mix their checkpoints; use another folder for the second run",
    });
  }
  try {
    await refuseNonEmptyOutput(ctx, flags.out, { overwrite: flags.overwrite, allowed: flags.resume, command: "train" });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return lock;
}
