import { GenerationError } from "./errors.js";

/**
 * Generation parameters, named and defaulted as in Hugging Face's `GenerationConfig` (camelCase here,
 * snake_case in `generation_config.json`).
 */
export interface GenerationConfig {
  /** Maximum length of the decoder sequence, decoder start token included. Default 20. */
  maxLength: number;
  /** Maximum number of generated tokens; when set it wins over `maxLength` (= prompt length + this). */
  maxNewTokens: number | undefined;
  /** Eos is forbidden while the decoder sequence (start token included) is shorter than this. Default 0. */
  minLength: number;
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
  /** Token sequences that must never be generated (a single-token entry bans that token everywhere). */
  badWordsIds: number[][] | undefined;
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
  /** Seed of the sampling random number generator: the same seed gives the same samples; unset draws a random seed. */
  seed: number | undefined;
  /** First decoder token of every sequence. */
  decoderStartTokenId: number | undefined;
  /** Token(s) that end a sequence. */
  eosTokenId: number | number[] | undefined;
  /** Token written after a sequence has ended (and for right-padding the output). */
  padTokenId: number | undefined;
  /** Also return the processed scores of every step. Default false. */
  outputScores: boolean;
  /** Use the decoder's key/value cache. Default true. */
  useCache: boolean;
}

/** Hugging Face's defaults for every field. */
export const defaultGenerationConfig: Readonly<GenerationConfig> = Object.freeze({
  maxLength: 20,
  maxNewTokens: undefined,
  minLength: 0,
  numBeams: 1,
  lengthPenalty: 1,
  earlyStopping: false,
  noRepeatNgramSize: 0,
  repetitionPenalty: 1,
  badWordsIds: undefined,
  numReturnSequences: 1,
  doSample: false,
  temperature: 1,
  topK: 50,
  topP: 1,
  seed: undefined,
  decoderStartTokenId: undefined,
  eosTokenId: undefined,
  padTokenId: undefined,
  outputScores: false,
  useCache: true,
});

/** camelCase field → snake_case key of `generation_config.json` / `config.json`. */
const hfKeys: { readonly [K in keyof GenerationConfig]: string } = {
  maxLength: "max_length",
  maxNewTokens: "max_new_tokens",
  minLength: "min_length",
  numBeams: "num_beams",
  lengthPenalty: "length_penalty",
  earlyStopping: "early_stopping",
  noRepeatNgramSize: "no_repeat_ngram_size",
  repetitionPenalty: "repetition_penalty",
  badWordsIds: "bad_words_ids",
  numReturnSequences: "num_return_sequences",
  doSample: "do_sample",
  temperature: "temperature",
  topK: "top_k",
  topP: "top_p",
  seed: "seed",
  decoderStartTokenId: "decoder_start_token_id",
  eosTokenId: "eos_token_id",
  padTokenId: "pad_token_id",
  outputScores: "output_scores",
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
      "invalid_config",
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
    case "useCache":
      if (typeof value === "boolean") return value;
      return bad("a boolean");
    case "eosTokenId":
      if (Number.isInteger(value) || isIdList(value)) return value;
      return bad("a token id or a list of token ids");
    case "badWordsIds":
      if (Array.isArray(value) && value.every(isIdList)) return value;
      return bad("a list of token-id lists");
    default:
      if (typeof value === "number" && Number.isFinite(value)) return value;
      return bad("a finite number");
  }
}

/**
 * Reads generation settings from a parsed `generation_config.json` or `config.json` (snake_case keys).
 * Unknown keys are ignored and `null` means "not set"; only the fields present are returned, so the result can
 * be layered with `mergeGenerationConfig`. For a composed `config.json`, the top-level special tokens are the
 * ones Hugging Face uses for generation. `source` names the file in error messages.
 */
export function generationConfigFromHF(json: unknown, source = "generation_config.json"): Partial<GenerationConfig> {
  if (!isRecord(json)) {
    throw new GenerationError("invalid_config", `${source}: expected a JSON object`);
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
 * Layers partial configs over Hugging Face's defaults: later layers win, `undefined` values are skipped
 * (so `{ numBeams: undefined }` does not erase a checkpoint default). Typical order: checkpoint
 * `config.json`, then `generation_config.json`, then the per-call options.
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
