import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveModel } from "@warmstart/hub";
import { ensureBackend, openCheckpoint } from "@warmstart/tensors";
import type { HFConfigJSON } from "./config.js";
import { ModelConfigError } from "./errors.js";
import type { LoadReport } from "./load-report.js";
import type { ModelOptions, PretrainedModule } from "./module.js";

/** Options of every `fromPretrained`. */
export interface FromPretrainedOptions extends ModelOptions {
  /** Passed to `@warmstart/hub`'s `resolveModel` (revision, cache folder, token, offline …). */
  hub?: Parameters<typeof resolveModel>[1];
  /** Fields of config.json to replace before building the model (snake_case, as in the file). */
  configOverrides?: HFConfigJSON;
  /** Called with the load report (also kept as `model.loadReport`). */
  onLoadReport?: (report: LoadReport) => void;
}

/**
 * Downloads (or finds) a model folder and reads its config.json with the overrides applied. Every encoder's and
 * decoder's `fromPretrained` starts here, before it allocates weights, so this is where they get a backend when the
 * caller started none (`ensureBackend`).
 */
export async function readPretrainedConfig(
  idOrPath: string,
  options: FromPretrainedOptions = {},
): Promise<{ dir: string; json: HFConfigJSON }> {
  await ensureBackend();
  const dir = await resolveModel(idOrPath, options.hub);
  const path = join(dir, "config.json");
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ModelConfigError("INVALID_FIELD", "(file)", `cannot read ${path}: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ModelConfigError("INVALID_FIELD", "(root)", `${path} does not hold a JSON object`);
  }
  return { dir, json: { ...(json as HFConfigJSON), ...options.configOverrides } };
}

/** Loads `dir`'s safetensors weights into `model`, disposing it if loading fails. */
export async function loadCheckpointInto<M extends PretrainedModule<unknown>>(
  model: M,
  dir: string,
  options: FromPretrainedOptions = {},
): Promise<M> {
  try {
    const checkpoint = await openCheckpoint(dir);
    try {
      const report = model.loadWeights(checkpoint);
      options.onLoadReport?.(report);
    } finally {
      checkpoint.close();
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
