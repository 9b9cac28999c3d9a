import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { resolveModel } from "@warmstart/hub";
import type { HFConfigJSON } from "./encoder-decoder-config.js";
import { ComposerError } from "./errors.js";
import { modelTypes } from "./families/registry.js";

/**
 * One side of a composition: a Hub id or a local checkpoint folder (pretrained weights), a config.json
 * object (random initialisation), or `null` with the config passed separately (random initialisation).
 */
export type PartSpec = string | HFConfigJSON | null;

/** A part spec resolved to its config and, for pretrained parts, the folder holding its weights. */
export interface ResolvedPart {
  config: HFConfigJSON;
  /** Checkpoint folder of a pretrained part; null for a random one. */
  dir: string | null;
  /** What the user passed, for reports and errors. */
  label: string | null;
}

export function readConfigFile(dir: string): HFConfigJSON {
  const path = join(dir, "config.json");
  if (!existsSync(path)) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${dir}: no config.json; a checkpoint folder holds config.json and model.safetensors`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ComposerError("INVALID_CONFIG", `${path}: not valid JSON (${(cause as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ComposerError("INVALID_CONFIG", `${path}: expected a JSON object`);
  }
  return json as HFConfigJSON;
}

export function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * Resolves a part spec. `override` (the `encoderConfig` / `decoderConfig` option) is laid over the
 * checkpoint's config, or is the whole config of a `null` part. `locate` turns a string that is not a local
 * folder into one (the Hub download, or the package's shipped configs for config-only accounting).
 */
export async function resolvePart(
  spec: PartSpec,
  override: HFConfigJSON | undefined,
  role: "encoder" | "decoder",
  locate: (id: string) => Promise<{ dir: string | null; config: HFConfigJSON }> = hubLocate,
): Promise<ResolvedPart> {
  if (spec === null) {
    if (override === undefined) {
      throw new ComposerError(
        "INVALID_CONFIG",
        `the ${role} is null (randomly initialised) but no ${role}Config was given; pass options.${role}Config (a config.json object, e.g. of bert-base-cased)`,
      );
    }
    return { config: structuredClone(override), dir: null, label: null };
  }
  if (typeof spec === "object") {
    return { config: { ...structuredClone(spec), ...structuredClone(override ?? {}) }, dir: null, label: null };
  }
  if (typeof spec !== "string" || spec.length === 0) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${role}: expected a Hub id, a folder, a config object or null, got ${JSON.stringify(spec)}`,
    );
  }
  const found = isFolder(spec) ? { dir: spec, config: readConfigFile(spec) } : await locate(spec);
  const config = found.config.model_type === undefined ? withModelTypeFromName(found.config, spec, role) : found.config;
  // transformers records where each sub-model came from in its config.
  return {
    config: { ...config, _name_or_path: spec, ...structuredClone(override ?? {}) },
    dir: found.dir,
    label: spec,
  };
}

/**
 * A config.json without `model_type` (checkpoints converted before transformers wrote it, e.g. Google's BERT
 * miniatures `google/bert_uncased_L-4_H-256_A-4`) gets the one its name implies, as transformers' AutoConfig does:
 * the longest registered `model_type` that the Hub id or folder path contains ("roberta" before "bert").
 */
function withModelTypeFromName(config: HFConfigJSON, name: string, role: "encoder" | "decoder"): HFConfigJSON {
  const known = modelTypes().sort((a, b) => b.length - a.length);
  const modelType = known.find((type) => name.includes(type));
  if (modelType === undefined) {
    throw new ComposerError(
      "UNSUPPORTED_MODEL_TYPE",
      `${role} ${name}: config.json has no "model_type" and the name contains none of the supported ones ` +
        `(${modelTypes().join(", ")}) to infer it from; add "model_type" to config.json`,
    );
  }
  return { ...config, model_type: modelType };
}

async function hubLocate(id: string): Promise<{ dir: string; config: HFConfigJSON }> {
  const dir = await resolveModel(id);
  return { dir, config: readConfigFile(dir) };
}
