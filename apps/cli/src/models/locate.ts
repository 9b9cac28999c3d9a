import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HFConfigJSON } from "@warmstart/composer";
import { CliError } from "../framework/cli-error.js";

/** A model as the commands see it: where its files are (if anywhere) and its config.json. */
export interface LocatedConfig {
  /** The folder holding the files, or null for a config shipped with the composer package. */
  dir: string | null;
  config: HFConfigJSON;
  /** How the user named it. */
  label: string;
}

/**
 * Whether `name` is a config shipped with @warmstart/composer. Imported lazily: the composer loads TensorFlow.js,
 * which `--help` and the metric commands should not wait for.
 */
export async function isShippedName(name: string): Promise<boolean> {
  const { BASE_CONFIG_NAMES } = await import("@warmstart/composer");
  return (BASE_CONFIG_NAMES as readonly string[]).includes(name);
}

export function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

export async function readConfigFile(path: string): Promise<HFConfigJSON> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    // A folder without its config.json is a model that cannot be used (exit 4, as a missing tokenizer or weights).
    throw new CliError("MISSING_CONFIG", `no config at "${path}"`, {
      hint: "a model folder must contain config.json (as written by save_pretrained)",
    });
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("not an object");
    return json as HFConfigJSON;
  } catch (cause) {
    throw new CliError("BAD_INPUT", `"${path}" is not a JSON object: ${(cause as Error).message}`, {
      hint: "fix or re-create the config.json",
    });
  }
}

/**
 * Only the config: a local folder, a config.json file, a shipped base config (offline), or a Hub id
 * (downloads config.json only).
 */
export async function locateConfig(idOrPath: string): Promise<LocatedConfig> {
  if (isFolder(idOrPath)) {
    return { dir: idOrPath, config: await readConfigFile(join(idOrPath, "config.json")), label: idOrPath };
  }
  if (idOrPath.endsWith(".json") && existsSync(idOrPath)) {
    return { dir: null, config: await readConfigFile(idOrPath), label: idOrPath };
  }
  if (await isShippedName(idOrPath)) {
    const { baseConfig } = await import("@warmstart/composer");
    return { dir: null, config: baseConfig(idOrPath as Parameters<typeof baseConfig>[0]), label: idOrPath };
  }
  if (/^(\.{0,2}\/|\/)/.test(idOrPath)) {
    throw new CliError("FILE_NOT_FOUND", `no model folder at "${idOrPath}"`, {
      hint: "check the path, or give a Hub id such as bert-base-cased",
    });
  }
  const { resolveModel } = await import("@warmstart/hub");
  const dir = await resolveModel(idOrPath, { files: ["config.json"] });
  return { dir: null, config: await readConfigFile(join(dir, "config.json")), label: idOrPath };
}

/** What the composition config's model_type is called here ("encoder_decoder" is transformers' old spelling). */
export const ENCODER_DECODER = "encoder-decoder";

/**
 * The config's model_type, checked against the model families registered with @warmstart/composer (and the
 * encoder-decoder composition). The registry is imported lazily, as isShippedName imports the composer.
 */
export async function modelTypeOf(located: LocatedConfig): Promise<string> {
  const { modelTypes } = await import("@warmstart/composer");
  const supported = [...modelTypes(), ENCODER_DECODER];
  const type = located.config.model_type;
  const normalised = type === "encoder_decoder" ? ENCODER_DECODER : type;
  if (typeof normalised !== "string" || !supported.includes(normalised)) {
    throw new CliError("UNKNOWN_MODEL", `${located.label}: unknown model type ${JSON.stringify(type)} in config.json`, {
      hint: `supported model types: ${supported.join(", ")}`,
    });
  }
  return normalised;
}
