import { homedir } from "node:os";
import { join } from "node:path";

/** The options of `resolveModel` that environment variables can also set. */
export interface HubSettingsOptions {
  cacheDir?: string;
  offline?: boolean;
  hubUrl?: string;
  token?: string;
}

export interface HubSettings {
  /** The hub cache: the folder that holds `models--org--name` folders. */
  cacheDir: string;
  offline: boolean;
  /** The endpoint without a trailing slash. */
  hubUrl: string;
  token: string | undefined;
}

export const DEFAULT_HUB_URL = "https://huggingface.co";

/** huggingface_hub's reading of boolean variables (constants._is_true). */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "ON", "YES", "TRUE"].includes(value.trim().toUpperCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Options win over the environment, and the environment is read the way huggingface_hub reads it,
 * so that one cache and one set of variables serve Python and Node alike.
 */
export function resolveSettings(options: HubSettingsOptions, env: NodeJS.ProcessEnv = process.env): HubSettings {
  const hfHome =
    nonEmpty(env.HF_HOME) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homedir(), ".cache"), "huggingface");
  const cacheDir =
    options.cacheDir ?? nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE) ?? join(hfHome, "hub");
  const hubUrl = (options.hubUrl ?? nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_HUB_URL).replace(/\/+$/, "");
  const token = nonEmpty(options.token) ?? nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  return { cacheDir, offline: options.offline ?? isTrue(env.HF_HUB_OFFLINE), hubUrl, token };
}
