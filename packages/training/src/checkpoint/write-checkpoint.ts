import { mkdir, writeFile as fsWriteFile } from "node:fs/promises";
import { join } from "node:path";
import { AtomicWriteError, writeFolderAtomically } from "@warmstart/core/fs";
import { describeWriteFailure, TrainingError } from "../errors.js";
import type { AdamWState } from "../optim/adamw.js";
import { checkpointName, listCheckpoints, recoverInterruptedWrites } from "./folders.js";
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
 * Writes `<outputDir>/checkpoint-<step>/` atomically (@warmstart/core/fs's folder swap): everything goes to a
 * hidden folder first, which replaces the checkpoint whole only once complete. If any write fails (disk full,
 * I/O error) the hidden folder is removed, earlier checkpoints (and an earlier save of the same step) are
 * untouched, and the error names the last good checkpoint. Returns the checkpoint's path.
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
  try {
    await writeFolderAtomically(final, async (temp) => {
      await contents.saveModel(temp);
      await writeOptimizerState(join(temp, OPTIMIZER_FILE), contents.optimizer);
      await writeFile(join(temp, TRAINER_STATE_FILE), trainerStateToJson(contents.trainerState));
    });
  } catch (error) {
    const cause = error instanceof AtomicWriteError ? error.cause : error;
    const previous = (await listCheckpoints(outputDir)).at(-1);
    throw new TrainingError(
      "CHECKPOINT_WRITE_FAILED",
      `writing ${final} failed (${describeWriteFailure(cause, outputDir)}); nothing was changed, the last good checkpoint is ${previous?.path ?? "none"}`,
      { cause },
    );
  }
  return final;
}
