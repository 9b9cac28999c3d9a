import { TokenizerError } from "./errors.js";

/** The special-token roles Hugging Face tokenizers know, by their camelCase names. */
export interface SpecialTokens {
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  bosToken?: string;
  eosToken?: string;
  unkToken?: string;
  maskToken?: string;
}

export type SpecialTokenRole = keyof SpecialTokens;

/** camelCase role → the key `special_tokens_map.json` and `tokenizer_config.json` use. */
export const SPECIAL_TOKEN_KEYS: Readonly<Record<SpecialTokenRole, string>> = {
  clsToken: "cls_token",
  sepToken: "sep_token",
  padToken: "pad_token",
  bosToken: "bos_token",
  eosToken: "eos_token",
  unkToken: "unk_token",
  maskToken: "mask_token",
};

export const SPECIAL_TOKEN_ROLES = Object.keys(SPECIAL_TOKEN_KEYS) as SpecialTokenRole[];

/**
 * Reads the special tokens out of a parsed `special_tokens_map.json` or `tokenizer_config.json`.
 * Hugging Face writes each either as a string or as a serialised AddedToken `{ content, ... }`.
 */
export function readSpecialTokens(json: Record<string, unknown>, file: string): SpecialTokens {
  const out: SpecialTokens = {};
  for (const role of SPECIAL_TOKEN_ROLES) {
    const key = SPECIAL_TOKEN_KEYS[role];
    const value = json[key];
    if (value === undefined || value === null) continue;
    if (typeof value === "string") {
      out[role] = value;
    } else if (typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
      out[role] = (value as { content: string }).content;
    } else {
      throw new TokenizerError(
        "INVALID_FILE",
        `${file}: "${key}" must be a string or an object with a string "content", got ${JSON.stringify(value)}`,
      );
    }
  }
  return out;
}

/** The `special_tokens_map.json` form of `tokens`: snake_case keys, plain strings. */
export function toSpecialTokensMap(tokens: SpecialTokens): Record<string, string> {
  const out: Record<string, string> = {};
  for (const role of SPECIAL_TOKEN_ROLES) {
    const value = tokens[role];
    if (value !== undefined) out[SPECIAL_TOKEN_KEYS[role]] = value;
  }
  return out;
}

/** The distinct special-token strings of `tokens`, in role order. */
export function specialTokenStrings(tokens: SpecialTokens): string[] {
  const seen = new Set<string>();
  for (const role of SPECIAL_TOKEN_ROLES) {
    const value = tokens[role];
    if (value !== undefined) seen.add(value);
  }
  return [...seen];
}
