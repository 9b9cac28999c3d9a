import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { HFConfigJSON } from "./encoder-decoder-config.js";

/** The Hub checkpoints of the paper whose config.json ships with this package (for config-only accounting). */
export const BASE_CONFIG_NAMES = ["bert-base-uncased", "bert-base-cased", "roberta-base", "gpt2"] as const;
export type BaseConfigName = (typeof BASE_CONFIG_NAMES)[number];

export function isBaseConfigName(name: string): name is BaseConfigName {
  return (BASE_CONFIG_NAMES as readonly string[]).includes(name);
}

/** The shipped config.json of a base checkpoint, exactly as on the Hub. */
export function baseConfig(name: BaseConfigName): HFConfigJSON {
  // configs/ sits beside src/ and dist/, so the same relative URL works from both.
  const url = new URL(`../configs/${name}/config.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as HFConfigJSON;
}
