import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { CliError } from "../framework/cli-error.js";
import type { DemoCheckpoints } from "./checkpoints-types.js";

/**
 * The checkpoints bundled with warmstart (apps/cli/checkpoints, in the package as `checkpoints/`): a small BERT,
 * RoBERTa and GPT-2 pre-trained once by `pnpm demo:checkpoints` on public-domain text, so that the demo warm-starts
 * from something worth starting from without pre-training on the clock. The same folder from src/demo and dist/demo.
 */
export const BUNDLED_CHECKPOINTS_DIR = fileURLToPath(new URL("../../checkpoints/", import.meta.url));

/** What a bundled folder's provenance.json says about its pre-training (the rest is for readers). */
export interface CheckpointProvenance {
  model: string;
  objective: string;
  steps: number;
  finalTrainLoss: number | null;
  finalValidationLoss: number | null;
  command: string;
}

export function readProvenance(dir: string): CheckpointProvenance | null {
  const file = join(dir, "provenance.json");
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as CheckpointProvenance;
}

/** The bundled folders; a missing BERT (the one every composition but Rnd2Rnd needs) is an error naming the fix. */
export function bundledCheckpoints(dir: string = BUNDLED_CHECKPOINTS_DIR): DemoCheckpoints {
  const folder = (name: string): string | null =>
    existsSync(join(dir, name, "model.safetensors")) ? join(dir, name) : null;
  const bert = folder("bert");
  if (bert === null) {
    throw new CliError(
      "FILE_NOT_FOUND",
      `the demo's pre-trained BERT is missing: no ${join(dir, "bert", "model.safetensors")}`,
      {
        hint: "re-create the bundled checkpoints with `pnpm demo:checkpoints`, or warm-start from the Hub with --from-hub",
      },
    );
  }
  return {
    bert,
    roberta: folder("roberta"),
    gpt2: folder("gpt2"),
    origin: `bundled with warmstart (${dir}, see PROVENANCE.md)`,
  };
}
