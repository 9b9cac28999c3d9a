import { readFileSync } from "node:fs";
import { ComposerError } from "../errors.js";
import { GenerationError } from "./errors.js";

/**
 * Generation parameters, named and defaulted as in Hugging Face's `GenerationConfig` (camelCase here,
 * snake_case in `generation_config.json`).
 */
export interface GenerationConfig {
  /**
   * Maximum length of the decoder sequence, decoder prompt (start token) included. Unset (the default), generation
   * makes `DEFAULT_MAX_NEW_TOKENS` (20) new tokens, as transformers 5 does when neither the call nor the
   * checkpoint sets `max_length` / `max_new_tokens`: a start-token-only prompt gives 21 tokens.
   */
  maxLength: number | undefined;
  /** Maximum number of generated tokens; when set it wins over `maxLength` (= prompt length + this). */
  maxNewTokens: number | undefined;
  /** Eos is forbidden while the decoder sequence (start token included) is shorter than this. Default 0. */
  minLength: number;
  /** Eos is forbidden for this many generated tokens; when set it wins over `minLength` (= prompt length + this). */
  minNewTokens: number | undefined;
  /** Number of beams; 1 means greedy search or sampling. Default 1. */
  numBeams: number;
  /**
   * Exponent of the generated length by which beam hypotheses' summed log-probabilities are divided.
   * Above 0 favours longer sequences. Default 1.
   */
  lengthPenalty: number;
  /**
   * Beam search stop rule: `true` stops a row as soon as it has `numBeams` finished hypotheses; `false` stops
   * it when no running beam can beat the worst finished one at the current length (HF's heuristic); `"never"`
   * does the same check against the best score reachable at `maxLength`. Default false.
   */
  earlyStopping: boolean | "never";
  /** Every n-gram of this size may occur at most once in a sequence; 0 disables. Default 0. */
  noRepeatNgramSize: number;
  /** CTRL-style penalty on already generated tokens; 1 disables. Default 1. */
  repetitionPenalty: number;
  /**
   * Token sequences that must never be generated (a single-token entry bans that token everywhere; an entry whose
   * prefix is longer than the sequence so far is ignored; an id outside the vocabulary is an error).
   */
  badWordsIds: number[][] | undefined;
  /**
   * Additive biases on token sequences, transformers' list format: `[[tokenIds, bias], ...]`. A one-token entry
   * biases that token at every step; a longer one biases its last token when the sequence ends with the rest.
   */
  sequenceBias: [number[], number][] | undefined;
  /** Tokens whose score is set to -Infinity at every step. */
  suppressTokens: number[] | undefined;
  /**
   * Tokens suppressed at the first generated position only (the second when the prompt is the start token alone and
   * `forcedBosTokenId` is set).
   */
  beginSuppressTokens: number[] | undefined;
  /** Token forced as the first generated token (after the decoder start token). */
  forcedBosTokenId: number | undefined;
  /** Token(s) forced when the next token reaches `maxLength` (the last position). */
  forcedEosTokenId: number | number[] | undefined;
  /**
   * `[startIndex, decayFactor]`: after `startIndex` generated tokens, eos scores grow by
   * `|score| * (decayFactor ** (generated - startIndex) - 1)`.
   */
  exponentialDecayLengthPenalty: [number, number] | undefined;
  /**
   * Multiplies the scores of the encoder input's tokens (positive ones by the penalty, negative ones by its inverse),
   * making them more likely for values above 1; 1 disables. Default 1.
   */
  encoderRepetitionPenalty: number;
  /** n-grams of the encoder input may not be repeated in the output; 0 disables. Default 0. */
  encoderNoRepeatNgramSize: number;
  /** Log-softmax the scores after every processor and warper. Default false. */
  renormalizeLogits: boolean;
  /** NaN scores become 0 and ±Infinity the float32 extremes, before the length-penalty and suppression steps. Default false. */
  removeInvalidValues: boolean;
  /**
   * Diverse beam search: the beams are split into this many groups (it must divide `numBeams`); 1 is plain beam
   * search. Follows transformers 4.56, the last line with it in the core. Default 1.
   */
  numBeamGroups: number;
  /** Diverse beam search: subtracted from a token's score for each beam of an earlier group that chose it. Default 0. */
  diversityPenalty: number;
  /**
   * Constrained beam search (needs `numBeams` > 1): every entry must appear in the output, a phrase (`number[]`) or
   * a set of alternative phrases of which one must appear (`number[][]`). Follows transformers 4.56, the last line
   * with it in the core. Default unset.
   */
  forceWordsIds: number[][] | number[][][] | undefined;
  /** Sequences returned per input (at most `numBeams` for beam search). Default 1. */
  numReturnSequences: number;
  /** Sample from the processed distribution instead of taking the best tokens. Default false. */
  doSample: boolean;
  /** Divides the logits before sampling. Default 1. */
  temperature: number;
  /** Sampling keeps only the k most likely tokens; 0 disables. Default 50. */
  topK: number;
  /** Sampling keeps the smallest set of tokens whose probability reaches p; 1 disables. Default 1. */
  topP: number;
  /** Sampling keeps tokens at least `minP` times as likely as the most likely one; unset disables. */
  minP: number | undefined;
  /** Locally typical sampling: keeps the most typical tokens up to this mass; 1 disables. Default 1. */
  typicalP: number;
  /** Sampling drops tokens less likely than this, when in (0, 1); 0 disables. Default 0. */
  epsilonCutoff: number;
  /** Eta sampling: drops tokens below `min(eta, sqrt(eta) * exp(-entropy))`, when in (0, 1); 0 disables. Default 0. */
  etaCutoff: number;
  /** Seed of the sampling random number generator: the same seed gives the same samples; unset draws a random seed. */
  seed: number | undefined;
  /** First decoder token of every sequence. */
  decoderStartTokenId: number | undefined;
  /** Used as the decoder start token when `decoderStartTokenId` is unset (transformers does the same). */
  bosTokenId: number | undefined;
  /** Token(s) that end a sequence: any of them stops it. Unset, every sequence runs to the maximum length. */
  eosTokenId: number | number[] | undefined;
  /**
   * Token written after a sequence has ended (and for right-padding the output). Unset, the first eos id is used
   * (transformers does the same, with a warning).
   */
  padTokenId: number | undefined;
  /** Also return the processed scores of every step. Default false. */
  outputScores: boolean;
  /** Also return the raw logits of every step (with `returnDictInGenerate`, as transformers). Default false. */
  outputLogits: boolean;
  /**
   * Return transformers' output fields exactly: `scores` / `sequencesScores` only with `outputScores`, `logits`
   * with `outputLogits`, `beamIndices` for beam search. Default false (sequences, plus beam scores always).
   */
  returnDictInGenerate: boolean;
  /** Stop every row once generation has run more than this many seconds (the encoder not counted). */
  maxTime: number | undefined;
  /** Stop a row once its text ends with one of these strings (needs a tokenizer, as in transformers). */
  stopStrings: string | string[] | undefined;
  /** Use the decoder's key/value cache. Default true. */
  useCache: boolean;
}

/** New tokens generated when neither `maxLength` nor `maxNewTokens` is set (transformers' model-agnostic default). */
export const DEFAULT_MAX_NEW_TOKENS = 20;

/** Hugging Face's defaults for every field. */
export const defaultGenerationConfig: Readonly<GenerationConfig> = Object.freeze({
  maxLength: undefined,
  maxNewTokens: undefined,
  minLength: 0,
  minNewTokens: undefined,
  numBeams: 1,
  lengthPenalty: 1,
  earlyStopping: false,
  noRepeatNgramSize: 0,
  repetitionPenalty: 1,
  badWordsIds: undefined,
  sequenceBias: undefined,
  suppressTokens: undefined,
  beginSuppressTokens: undefined,
  forcedBosTokenId: undefined,
  forcedEosTokenId: undefined,
  exponentialDecayLengthPenalty: undefined,
  encoderRepetitionPenalty: 1,
  encoderNoRepeatNgramSize: 0,
  renormalizeLogits: false,
  removeInvalidValues: false,
  numBeamGroups: 1,
  diversityPenalty: 0,
  forceWordsIds: undefined,
  numReturnSequences: 1,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  minP: undefined,
  typicalP: 1,
  epsilonCutoff: 0,
  etaCutoff: 0,
  seed: undefined,
  decoderStartTokenId: undefined,
  bosTokenId: undefined,
  eosTokenId: undefined,
  padTokenId: undefined,
  outputScores: false,
  outputLogits: false,
  returnDictInGenerate: false,
  maxTime: undefined,
  stopStrings: undefined,
  useCache: true,
});

/** camelCase field → snake_case key of `generation_config.json` / `config.json`. */
const hfKeys: { readonly [K in keyof GenerationConfig]: string } = {
  maxLength: "max_length",
  maxNewTokens: "max_new_tokens",
  minLength: "min_length",
  minNewTokens: "min_new_tokens",
  numBeams: "num_beams",
  lengthPenalty: "length_penalty",
  earlyStopping: "early_stopping",
  noRepeatNgramSize: "no_repeat_ngram_size",
  repetitionPenalty: "repetition_penalty",
  badWordsIds: "bad_words_ids",
  sequenceBias: "sequence_bias",
  suppressTokens: "suppress_tokens",
  beginSuppressTokens: "begin_suppress_tokens",
  forcedBosTokenId: "forced_bos_token_id",
  forcedEosTokenId: "forced_eos_token_id",
  exponentialDecayLengthPenalty: "exponential_decay_length_penalty",
  encoderRepetitionPenalty: "encoder_repetition_penalty",
  encoderNoRepeatNgramSize: "encoder_no_repeat_ngram_size",
  renormalizeLogits: "renormalize_logits",
  removeInvalidValues: "remove_invalid_values",
  numBeamGroups: "num_beam_groups",
  diversityPenalty: "diversity_penalty",
  forceWordsIds: "force_words_ids",
  numReturnSequences: "num_return_sequences",
  doSample: "do_sample",
  temperature: "temperature",
  topK: "top_k",
  topP: "top_p",
  minP: "min_p",
  typicalP: "typical_p",
  epsilonCutoff: "epsilon_cutoff",
  etaCutoff: "eta_cutoff",
  seed: "seed",
  decoderStartTokenId: "decoder_start_token_id",
  bosTokenId: "bos_token_id",
  eosTokenId: "eos_token_id",
  padTokenId: "pad_token_id",
  outputScores: "output_scores",
  outputLogits: "output_logits",
  returnDictInGenerate: "return_dict_in_generate",
  maxTime: "max_time",
  stopStrings: "stop_strings",
  useCache: "use_cache",
};

/** The snake_case name Hugging Face uses for a field, for error messages. */
export function hfName(field: keyof GenerationConfig): string {
  return hfKeys[field];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIdList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}

function readField(field: keyof GenerationConfig, value: unknown, source: string): unknown {
  const bad = (expected: string): never => {
    throw new GenerationError(
      "INVALID_CONFIG",
      `${source}: "${hfKeys[field]}" must be ${expected}, got ${JSON.stringify(value)}`,
      field,
    );
  };
  switch (field) {
    case "earlyStopping":
      if (typeof value === "boolean" || value === "never") return value;
      return bad('true, false or "never"');
    case "doSample":
    case "outputScores":
    case "outputLogits":
    case "returnDictInGenerate":
    case "useCache":
    case "renormalizeLogits":
    case "removeInvalidValues":
      if (typeof value === "boolean") return value;
      return bad("a boolean");
    case "eosTokenId":
    case "forcedEosTokenId":
      if (Number.isInteger(value) || isIdList(value)) return value;
      return bad("a token id or a list of token ids");
    case "stopStrings":
      if (typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))) {
        return value;
      }
      return bad("a string or a list of strings");
    case "badWordsIds":
      if (Array.isArray(value) && value.every(isIdList)) return value;
      return bad("a list of token-id lists");
    case "forceWordsIds":
      // The entries are checked, as transformers does, when generate() turns them into constraints.
      if (Array.isArray(value)) return value;
      return bad("a list of token-id lists (phrases) or of lists of them (alternatives)");
    case "suppressTokens":
    case "beginSuppressTokens":
      if (isIdList(value)) return value;
      return bad("a list of token ids");
    case "sequenceBias":
      if (
        Array.isArray(value) &&
        value.every((e) => Array.isArray(e) && e.length === 2 && isIdList(e[0]) && typeof e[1] === "number")
      ) {
        return value;
      }
      return bad("a list of [token ids, bias] pairs");
    case "exponentialDecayLengthPenalty":
      if (
        Array.isArray(value) &&
        value.length === 2 &&
        Number.isInteger(value[0]) &&
        typeof value[1] === "number" &&
        Number.isFinite(value[1])
      ) {
        return value;
      }
      return bad("[start index, decay factor]");
    default:
      if (typeof value === "number" && Number.isFinite(value)) return value;
      return bad("a finite number");
  }
}

/**
 * transformers generation settings this project does not implement, each with the value at which it changes nothing
 * (`null` where unset is the only neutral value). A checkpoint may store them (they are kept on save), but one set to
 * anything else would make transformers generate differently, so `generate` refuses it instead of ignoring it.
 * `samplingOnly` ones only matter with `do_sample`, as in transformers (which warns and ignores them otherwise).
 * `constraints` is implemented, but as objects (`generate(..., { constraints })`): a JSON file cannot hold them.
 */
const UNSUPPORTED_HF_SETTINGS: Readonly<Record<string, { neutral: unknown; samplingOnly?: true }>> = {
  constraints: { neutral: null },
  guidance_scale: { neutral: null },
  watermarking_config: { neutral: null },
  penalty_alpha: { neutral: null },
  dola_layers: { neutral: null },
  low_memory: { neutral: null },
  token_healing: { neutral: null },
  top_h: { neutral: null, samplingOnly: true },
};

/** camelCase spellings of the unsupported settings, so that a per-call `{ guidanceScale: 2 }` is recognised too. */
const unsupportedByCamelName = new Map(
  Object.keys(UNSUPPORTED_HF_SETTINGS).map((key) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), key]),
);
const fieldByHFKey = new Map(Object.entries(hfKeys).map(([field, key]) => [key, field as keyof GenerationConfig]));

function isNeutral(value: unknown, neutral: unknown): boolean {
  if (value === null || value === undefined || value === neutral) return true;
  // An empty list or `false` where only null is neutral (e.g. `suppress_tokens: []`, `low_memory: false`) does nothing.
  return neutral === null && (value === false || (Array.isArray(value) && value.length === 0));
}

/**
 * The transformers settings in a stored generation config (snake_case keys) that this project does not implement
 * and that are set to a value that changes what transformers generates; `doSample` is the effective mode.
 */
export function unsupportedHFSettings(json: Readonly<Record<string, unknown>>, doSample: boolean): string[] {
  return Object.entries(UNSUPPORTED_HF_SETTINGS)
    .filter(([key, { neutral, samplingOnly }]) => !isNeutral(json[key], neutral) && (doSample || samplingOnly !== true))
    .map(([key]) => `${key}=${JSON.stringify(json[key])}`);
}

/**
 * Checks the keys of per-call options: each must be a `GenerationConfig` field. A snake_case name of a field, a
 * transformers setting this project does not implement, or an unknown name is an error, never silently ignored.
 */
export function checkGenerationOptions(options: object): void {
  for (const [key, value] of Object.entries(options)) {
    if (key in hfKeys || value === undefined) continue;
    const field = fieldByHFKey.get(key);
    if (field !== undefined) {
      throw new GenerationError(
        "UNSUPPORTED_SETTING",
        `generate() option "${key}": options are camelCase here, use "${field}"`,
        key,
      );
    }
    if (key === "constraints") {
      throw new GenerationError(
        "UNSUPPORTED_SETTING",
        'generate() option "constraints" is not a setting: pass the Constraint objects in generate()\'s options, ' +
          "generate(model, inputs, config, { constraints }) (model.generate(inputs, config, { constraints }))",
        key,
      );
    }
    const hfKey = key in UNSUPPORTED_HF_SETTINGS ? key : unsupportedByCamelName.get(key);
    if (hfKey !== undefined) {
      throw new GenerationError(
        "UNSUPPORTED_SETTING",
        `generate() option "${key}" (transformers' ${hfKey}) is not implemented here; remove it (transformers would apply it)`,
        key,
      );
    }
    throw new GenerationError(
      "UNSUPPORTED_SETTING",
      `generate() option "${key}" is not a generation setting (known: ${Object.keys(hfKeys).join(", ")})`,
      key,
    );
  }
}

/**
 * Reads generation settings from a parsed `generation_config.json` (snake_case keys), or the top level of a
 * `config.json`. Keys it does not know are ignored here (the model keeps the file verbatim for saving) and `null`
 * means "not set"; only the fields present are returned, so the result can be layered with
 * `mergeGenerationConfig`. `source` names the file in error messages.
 */
export function generationConfigFromHF(json: unknown, source = "generation_config.json"): Partial<GenerationConfig> {
  if (!isRecord(json)) {
    throw new GenerationError("INVALID_CONFIG", `${source}: expected a JSON object`);
  }
  const out: Partial<Record<keyof GenerationConfig, unknown>> = {};
  for (const field of Object.keys(hfKeys) as (keyof GenerationConfig)[]) {
    const value = json[hfKeys[field]];
    if (value === undefined || value === null) continue;
    out[field] = readField(field, value, source);
  }
  return out as Partial<GenerationConfig>;
}

/**
 * Checks the generation settings a checkpoint stores (a parsed generation_config.json, or those derived from its
 * config.json). A bad value there is a malformed model file, not a bad request, so it is reported as a
 * `ComposerError` "INVALID_GENERATION_CONFIG" naming the file, whereas the same value passed to `generate()` stays
 * a `GenerationError`.
 */
export function checkStoredGenerationConfig(json: unknown, source: string): Partial<GenerationConfig> {
  try {
    return generationConfigFromHF(json, source);
  } catch (error) {
    if (error instanceof GenerationError) throw new ComposerError("INVALID_GENERATION_CONFIG", error.message);
    throw error;
  }
}

/**
 * Values are range-checked only when generating (with the inputs): a rejected value that came from the checkpoint's
 * stored settings, not from the call, is turned into a `ComposerError` "INVALID_GENERATION_CONFIG" naming `source`,
 * since the model file is what needs fixing. Any other error is returned as it is.
 */
export function blameStoredSetting(
  error: unknown,
  stored: Readonly<Record<string, unknown>>,
  requested: object,
  source: string,
): unknown {
  if (!(error instanceof GenerationError) || error.code !== "INVALID_CONFIG" || error.setting === undefined) {
    return error;
  }
  const field = error.setting as keyof GenerationConfig;
  if (!(field in hfKeys) || field in requested) return error;
  const value = stored[hfKeys[field]];
  if (value === undefined || value === null) return error;
  return new ComposerError("INVALID_GENERATION_CONFIG", `${source}: ${error.message}`);
}

/** Reads and checks a checkpoint's generation_config.json; invalid JSON is an "INVALID_GENERATION_CONFIG" too. */
export function readGenerationConfigFile(path: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ComposerError("INVALID_GENERATION_CONFIG", `${path} is not valid JSON: ${error.message}`);
  }
  checkStoredGenerationConfig(json, path);
  return json;
}

/**
 * The generation settings transformers 5 derives from a model's `config.json` when the checkpoint has no
 * generation_config.json (`GenerationConfig.from_model_config`): the top-level keys that are set, then, for every
 * setting still unset, the decoder sub-config's value (e.g. GPT-2's bos / eos, BERT's pad). Returned in snake_case
 * (known and unsupported settings), ready to be read by `generationConfigFromHF` or written as generation_config.json.
 */
export function generationJSONFromModelConfig(configJSON: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const decoder = isRecord(configJSON.decoder) ? configJSON.decoder : {};
  const out: Record<string, unknown> = {};
  for (const key of [...Object.values(hfKeys), ...Object.keys(UNSUPPORTED_HF_SETTINGS)]) {
    if (key === "seed") continue; // this project's own setting, never read from a model config
    const top = configJSON[key];
    const value = top !== undefined && top !== null ? top : decoder[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/**
 * Layers partial configs over Hugging Face's defaults: later layers win, `undefined` values are skipped
 * (so `{ numBeams: undefined }` does not erase a checkpoint default). Typical order: the checkpoint's generation
 * config, then the per-call options.
 */
export function mergeGenerationConfig(...layers: (Partial<GenerationConfig> | undefined)[]): GenerationConfig {
  const merged: Record<string, unknown> = { ...defaultGenerationConfig };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined && key in hfKeys) merged[key] = value;
    }
  }
  return merged as unknown as GenerationConfig;
}
