import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openCheckpoint, tf } from "@warmstart/tensors";
import { TrainingError } from "../errors.js";
import type { AdamWState } from "../optim/adamw.js";
import { OPTIMIZER_FILE, readOptimizerState } from "./optimizer-file.js";
import { TRAINER_STATE_FILE, trainerStateFromJson, type TrainerState } from "./trainer-state.js";

export interface LoadedCheckpoint {
  trainerState: TrainerState;
  optimizer: AdamWState;
}

/** Reads the trainer state and optimizer moments of a `checkpoint-<step>` folder. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const statePath = join(dir, TRAINER_STATE_FILE);
  let text: string;
  try {
    text = await readFile(statePath, "utf8");
  } catch (error) {
    throw new TrainingError("CHECKPOINT_NOT_FOUND", `${statePath} cannot be read: is ${dir} a trainer checkpoint?`, {
      cause: error,
    });
  }
  const trainerState = trainerStateFromJson(text, statePath);
  const optimizer = await readOptimizerState(join(dir, OPTIMIZER_FILE));
  return { trainerState, optimizer };
}

/**
 * Loads the model weights of a checkpoint folder into `parameters`, all or nothing: every parameter must be in
 * the file with the same shape (a tied parameter is satisfied by any of its names), and the file may hold no
 * tensor the model lacks. A checkpoint of another architecture fails here with the names that differ.
 */
export async function loadWeightsInto(parameters: ReadonlyMap<string, tf.Variable>, dir: string): Promise<void> {
  const source = await openCheckpoint(dir);
  try {
    const byVariable = new Map<tf.Variable, string[]>();
    for (const [name, variable] of parameters.entries()) {
      byVariable.set(variable, [...(byVariable.get(variable) ?? []), name]);
    }
    const fileNames = new Set(source.names());
    const problems: string[] = [];
    const plan: Array<[tf.Variable, string]> = [];
    for (const [variable, names] of byVariable) {
      const present = names.find((n) => fileNames.has(n));
      if (present === undefined) {
        problems.push(`missing ${names.join(" / ")} [${variable.shape}]`);
        continue;
      }
      const shape = source.info(present).shape;
      if (!tf.util.arraysEqual(shape, variable.shape)) {
        problems.push(`${present} is [${shape}] in the checkpoint, [${variable.shape}] in the model`);
        continue;
      }
      plan.push([variable, present]);
    }
    const known = new Set(parameters.keys());
    const unexpected = [...fileNames].filter((n) => !known.has(n));
    if (unexpected.length > 0) {
      problems.push(`unexpected ${unexpected.slice(0, 5).join(", ")}${unexpected.length > 5 ? ", …" : ""}`);
    }
    if (problems.length > 0) {
      throw new TrainingError(
        "CHECKPOINT_MISMATCH",
        `${dir} does not fit this model (another architecture or config?): ${problems.slice(0, 8).join("; ")}${problems.length > 8 ? `; and ${problems.length - 8} more` : ""}`,
      );
    }
    for (const [variable, name] of plan) {
      const value = source.tensor(name);
      variable.assign(value);
      value.dispose();
    }
  } finally {
    source.close();
  }
}
