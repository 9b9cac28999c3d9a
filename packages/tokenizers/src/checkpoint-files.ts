// How a checkpoint's tokenizer files become settings, whoever read them: `loadTokenizerFolder` (from disk) and
// `PureTokenizer.fromFiles` (from fetched JSON, in the browser). No file access here, so both can use it.
import type { TokenizerDocument } from "./documents.js";
import { TokenizerError } from "./errors.js";
import { readSpecialTokens, SPECIAL_TOKEN_ROLES, type SpecialTokens } from "./special-tokens.js";
import { readTokenizerConfig, type TokenizerSettings } from "./settings.js";
import { BERT_SPECIAL_TOKENS, GPT2_SPECIAL_TOKENS, ROBERTA_SPECIAL_TOKENS } from "./vocab.js";

/** Roles the checkpoint does not name fall back to the family's defaults, when the token exists. */
export function withDefaults(
  given: SpecialTokens,
  defaults: Readonly<SpecialTokens>,
  has: (token: string) => boolean,
): SpecialTokens {
  const out: SpecialTokens = { ...given };
  for (const role of SPECIAL_TOKEN_ROLES) {
    const fallback = defaults[role];
    if (out[role] === undefined && fallback !== undefined && has(fallback)) out[role] = fallback;
  }
  return out;
}

/** BERT, RoBERTa or GPT-2 defaults, chosen by which of their tokens the vocabulary has. */
export function familyDefaults(has: (token: string) => boolean): Readonly<SpecialTokens> {
  if (has("[CLS]") && has("[SEP]")) return BERT_SPECIAL_TOKENS;
  if (has("<s>") && has("</s>")) return ROBERTA_SPECIAL_TOKENS;
  return GPT2_SPECIAL_TOKENS;
}

/** Membership over a tokenizer.json's model vocabulary (map or Unigram list) and added tokens. */
export function documentTokens(document: TokenizerDocument): (token: string) => boolean {
  const vocab: unknown = document.model?.vocab;
  const tokens = new Set<string>((document.added_tokens ?? []).map((token) => token.content));
  if (Array.isArray(vocab)) {
    for (const entry of vocab) if (Array.isArray(entry) && typeof entry[0] === "string") tokens.add(entry[0]);
  } else if (vocab !== null && typeof vocab === "object") {
    for (const token of Object.keys(vocab)) tokens.add(token);
  }
  return (token) => tokens.has(token);
}

/**
 * The settings in a parsed `tokenizer_config.json` and `special_tokens_map.json` (either may be missing);
 * special_tokens_map.json wins over tokenizer_config.json, as in transformers. The names label errors.
 */
export function readCheckpointSettings(
  tokenizerConfig: Record<string, unknown> | undefined,
  specialTokensMap: Record<string, unknown> | undefined,
  names: { tokenizerConfig: string; specialTokensMap: string },
): Partial<TokenizerSettings> & { specialTokens: SpecialTokens } {
  const settings: Partial<TokenizerSettings> =
    tokenizerConfig === undefined ? {} : readTokenizerConfig(tokenizerConfig, names.tokenizerConfig);
  const specialTokens: SpecialTokens = {
    ...settings.specialTokens,
    ...(specialTokensMap === undefined ? {} : readSpecialTokens(specialTokensMap, names.specialTokensMap)),
  };
  return { ...settings, specialTokens };
}

/** The settings for a `tokenizer.json`: roles the configs leave out take the family's defaults. */
export function tokenizerJsonSettings(
  document: TokenizerDocument,
  settings: Partial<TokenizerSettings> & { specialTokens: SpecialTokens },
): Partial<TokenizerSettings> {
  const has = documentTokens(document);
  return { ...settings, specialTokens: withDefaults(settings.specialTokens, familyDefaults(has), has) };
}

/** `value` (parsed JSON) as a tokenizer.json document: an object with a `model` object. */
export function asTokenizerDocument(value: unknown, source: string): TokenizerDocument {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenizerError("INVALID_FILE", `${source}: expected a tokenizer.json object with a "model" field`);
  }
  const model = (value as { model?: unknown }).model;
  if (model === null || typeof model !== "object" || Array.isArray(model)) {
    throw new TokenizerError("INVALID_FILE", `${source}: expected a tokenizer.json object with a "model" field`);
  }
  return value as TokenizerDocument;
}

/** `value` (parsed JSON) as a JSON object, e.g. a `tokenizer_config.json`. */
export function asJsonObject(value: unknown, source: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenizerError("INVALID_FILE", `${source}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
