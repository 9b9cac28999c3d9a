import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile as fsWriteFile } from "node:fs/promises";
import { join } from "node:path";
import { describeWriteFailure, TrainingError } from "../errors.js";
import type { AdamWState } from "../optim/adamw.js";
import {
  checkpointName,
  exists,
  listCheckpoints,
  recoverInterruptedWrites,
  temporaryCheckpointPrefix,
} from "./folders.js";
import { OPTIMIZER_FILE, writeOptimizerState } from "./optimizer-file.js";
import { TRAINER_STATE_FILE, trainerStateToJson, type TrainerState } from "./trainer-state.js";

export interface CheckpointContents {
  /** Writes the model in Hugging Face layout into the folder it is given (e.g. `model.savePretrained`). */
  saveModel: (dir: string) => Promise<void>;
  optimizer: AdamWState;
  trainerState: TrainerState;
}

export interface WriteCheckpointOptions {
  /** Writes trainer_state.json; injectable so tests can make it fail. */
  writeFile?: (path: string, data: string) => Promise<void>;
}

/**
 * Writes `<outputDir>/checkpoint-<step>/` atomically: everything goes to a hidden temporary folder first,
 * which is renamed into place only once complete. If any write fails (disk full, I/O error) the temporary
 * folder is removed, earlier checkpoints are untouched, and the error names the last good checkpoint.
 * Returns the checkpoint's path.
 */
export async function writeCheckpoint(
  outputDir: string,
  contents: CheckpointContents,
  options: WriteCheckpointOptions = {},
): Promise<string> {
  const writeFile = options.writeFile ?? ((path: string, data: string) => fsWriteFile(path, data, "utf8"));
  const step = contents.trainerState.globalStep;
  const final = join(outputDir, checkpointName(step));
  await mkdir(outputDir, { recursive: true });
  await recoverInterruptedWrites(outputDir);
  const temp = join(outputDir, `${temporaryCheckpointPrefix(step)}${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(temp);
  let replaced: string | undefined;
  try {
    await contents.saveModel(temp);
    await writeOptimizerState(join(temp, OPTIMIZER_FILE), contents.optimizer);
    await writeFile(join(temp, TRAINER_STATE_FILE), trainerStateToJson(contents.trainerState));
    if (await exists(final)) {
      // Saving the same step again: move the old one aside first so a failed rename can put it back.
      replaced = `${temp}.previous`;
      await rename(final, replaced);
    }
    await rename(temp, final);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (replaced !== undefined && !(await exists(final))) await rename(replaced, final);
    const previous = (await listCheckpoints(outputDir)).at(-1);
    const what = describeWriteFailure(error, outputDir);
    throw new TrainingError(
      "CHECKPOINT_WRITE_FAILED",
      `writing ${final} failed (${what}); nothing was changed, the last good checkpoint is ${previous?.path ?? "none"}`,
      { cause: error },
    );
  }
  if (replaced !== undefined) await rm(replaced, { recursive: true, force: true });
  return final;
}
