import { openSafetensors, tf, writeSafetensors } from "@warmstart/tensors";
import { TrainingError } from "../errors.js";
import type { AdamWParameterState, AdamWState } from "../optim/adamw.js";

export const OPTIMIZER_FILE = "optimizer.safetensors";

/**
 * Writes AdamW moments as safetensors: `<param>.exp_avg` and `<param>.exp_avg_sq` (PyTorch's state names),
 * hyper-parameters and per-parameter step counts in the metadata.
 */
export async function writeOptimizerState(path: string, state: AdamWState): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  const steps: Record<string, number> = {};
  try {
    for (const [name, s] of state.parameters) {
      // Copies: the cpu backend adopts the array it is given, and the state must stay untouched.
      tensors.set(`${name}.exp_avg`, tf.tensor1d(s.expAvg.slice(), "float32"));
      tensors.set(`${name}.exp_avg_sq`, tf.tensor1d(s.expAvgSq.slice(), "float32"));
      steps[name] = s.step;
    }
    await writeSafetensors(path, tensors, {
      format: "warmstart-adamw",
      betas: JSON.stringify(state.betas),
      eps: String(state.eps),
      weight_decay: String(state.weightDecay),
      steps: JSON.stringify(steps),
    });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

export async function readOptimizerState(path: string): Promise<AdamWState> {
  const file = await openSafetensors(path);
  try {
    const meta = file.metadata;
    if (meta.format !== "warmstart-adamw") {
      throw new TrainingError(
        "CHECKPOINT_MISMATCH",
        `${path}: metadata "format" is ${String(meta.format)}, expected "warmstart-adamw"`,
      );
    }
    const parse = (field: string): unknown => {
      try {
        return JSON.parse(meta[field] ?? "");
      } catch {
        throw new TrainingError("CHECKPOINT_MISMATCH", `${path}: metadata "${field}" is missing or not JSON`);
      }
    };
    const steps = parse("steps") as Record<string, number>;
    const parameters = new Map<string, AdamWParameterState>();
    for (const [name, step] of Object.entries(steps)) {
      const read = (suffix: string): Float32Array => {
        const key = `${name}.${suffix}`;
        if (!file.has(key)) throw new TrainingError("CHECKPOINT_MISMATCH", `${path}: tensor "${key}" is missing`);
        const t = file.tensor(key);
        try {
          return Float32Array.from(t.dataSync() as Float32Array);
        } finally {
          t.dispose();
        }
      };
      parameters.set(name, { step, expAvg: read("exp_avg"), expAvgSq: read("exp_avg_sq") });
    }
    return {
      betas: parse("betas") as [number, number],
      eps: Number(meta.eps),
      weightDecay: Number(meta.weight_decay),
      parameters,
    };
  } finally {
    file.close();
  }
}
