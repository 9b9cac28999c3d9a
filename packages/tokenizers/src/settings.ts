import { TokenizerError } from "./errors.js";
import { readSpecialTokens, type SpecialTokens } from "./special-tokens.js";

/** What a Hugging Face tokenizer keeps beside `tokenizer.json` (in `tokenizer_config.json`). */
export interface TokenizerSettings {
  specialTokens: SpecialTokens;
  /** Longest input the model accepts; `Infinity` when the checkpoint does not say. */
  modelMaxLength: number;
  /** Default of `decode`'s `cleanUpTokenizationSpaces`. */
  cleanUpTokenizationSpaces: boolean;
  /** e.g. `"BertTokenizer"`, `"GPT2Tokenizer"`, `"RobertaTokenizer"`; written back by `save`. */
  tokenizerClass?: string;
  doLowerCase?: boolean;
}

/** transformers writes `int(1e30)` for "no limit"; anything that large means the same here. */
const NO_LIMIT_THRESHOLD = 1e29;

export const defaultSettings: TokenizerSettings = {
  specialTokens: {},
  modelMaxLength: Number.POSITIVE_INFINITY,
  cleanUpTokenizationSpaces: true,
};

/** `settings` with the defaults filled in (and a special-token object of its own). */
export function completeSettings(settings: Partial<TokenizerSettings>): TokenizerSettings {
  return { ...defaultSettings, ...settings, specialTokens: { ...settings.specialTokens } };
}

/** Reads the fields of a parsed `tokenizer_config.json` that change tokenization or decoding. */
export function readTokenizerConfig(json: Record<string, unknown>, file: string): Partial<TokenizerSettings> {
  const out: Partial<TokenizerSettings> = { specialTokens: readSpecialTokens(json, file) };
  const maxLength = json.model_max_length;
  if (maxLength !== undefined && maxLength !== null) {
    if (typeof maxLength !== "number" || !(maxLength > 0)) {
      throw new TokenizerError(
        "INVALID_FILE",
        `${file}: "model_max_length" must be a positive number, got ${JSON.stringify(maxLength)}`,
      );
    }
    out.modelMaxLength = maxLength >= NO_LIMIT_THRESHOLD ? Number.POSITIVE_INFINITY : maxLength;
  }
  if (typeof json.clean_up_tokenization_spaces === "boolean") {
    out.cleanUpTokenizationSpaces = json.clean_up_tokenization_spaces;
  }
  if (typeof json.tokenizer_class === "string") out.tokenizerClass = json.tokenizer_class;
  if (typeof json.do_lower_case === "boolean") out.doLowerCase = json.do_lower_case;
  return out;
}

/** The `tokenizer_config.json` that `save` writes, readable by transformers' `AutoTokenizer`. */
export function toTokenizerConfig(
  settings: TokenizerSettings,
  specialTokensMap: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...specialTokensMap,
    model_max_length: Number.isFinite(settings.modelMaxLength) ? settings.modelMaxLength : 1e30,
    clean_up_tokenization_spaces: settings.cleanUpTokenizationSpaces,
  };
  if (settings.tokenizerClass !== undefined) out.tokenizer_class = settings.tokenizerClass;
  if (settings.doLowerCase !== undefined) out.do_lower_case = settings.doLowerCase;
  return out;
}
