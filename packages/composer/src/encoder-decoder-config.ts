import type { HFConfigJSON } from "@warmstart/modeling";
import { ComposerError } from "./errors.js";
import { modelFamily } from "./families/registry.js";

// One definition of a config.json object (modeling's); composer's API has always exported it too.
export type { HFConfigJSON };

/** The ids `forward` (labels) and generation need. */
export interface SpecialTokens {
  decoderStartTokenId: number;
  eosTokenId: number;
  padTokenId: number;
}

/** Both spellings: `"encoder-decoder"` is current; very old transformers versions wrote `"encoder_decoder"`. */
export const ENCODER_DECODER_MODEL_TYPES = ["encoder-decoder", "encoder_decoder"] as const;

const TOKEN_FIELDS = {
  decoderStartTokenId: "decoder_start_token_id",
  eosTokenId: "eos_token_id",
  padTokenId: "pad_token_id",
} as const satisfies Record<keyof SpecialTokens, string>;

const TOKEN_HINTS: Record<keyof SpecialTokens, string> = {
  decoderStartTokenId: "the BERT recipe uses the [CLS] id, RoBERTa/GPT-2 the bos id",
  eosTokenId: "the BERT recipe uses the [SEP] id, RoBERTa/GPT-2 the eos id",
  padTokenId: "the BERT recipe uses the [PAD] id; GPT-2 has none, the recipes reuse its eos/unk id",
};

// The attributes every transformers PretrainedConfig serialises; a saved sub-config carries them so that
// the file looks like what Python writes (Python itself also accepts them absent).
const PRETRAINED_CONFIG_DEFAULTS: HFConfigJSON = {
  add_cross_attention: false,
  architectures: null,
  bos_token_id: null,
  chunk_size_feed_forward: 0,
  cross_attention_hidden_size: null,
  decoder_start_token_id: null,
  eos_token_id: null,
  finetuning_task: null,
  id2label: { "0": "LABEL_0", "1": "LABEL_1" },
  is_decoder: false,
  is_encoder_decoder: false,
  label2id: { LABEL_0: 0, LABEL_1: 1 },
  output_attentions: false,
  output_hidden_states: false,
  pad_token_id: null,
  prefix: null,
  problem_type: null,
  pruned_heads: {},
  return_dict: true,
  sep_token_id: null,
  task_specific_params: null,
  tie_encoder_decoder: false,
  tie_word_embeddings: true,
  tokenizer_class: null,
  torchscript: false,
  use_bfloat16: false,
};

/**
 * What the dtype fields say: the dtype of the stored weights, which savePretrained always writes as float32.
 * transformers 4.56+ and 5 write `dtype` and warn that `torch_dtype` (what older versions wrote) is deprecated.
 */
function withStoredDtype(json: HFConfigJSON): HFConfigJSON {
  const out: HFConfigJSON = { ...json, dtype: "float32" };
  delete out.torch_dtype;
  return out;
}

// Top-level keys this class owns; anything else found in a config.json is carried through unchanged.
const OWN_KEYS = new Set([
  "encoder",
  "decoder",
  "model_type",
  "is_encoder_decoder",
  "architectures",
  "tie_encoder_decoder",
  "vocab_size",
  ...Object.values(TOKEN_FIELDS),
]);

function isObject(value: unknown): value is HFConfigJSON {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tokenOrNull(json: HFConfigJSON, field: string, where: string): number | null {
  const value = json[field];
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${where}: "${field}" must be a non-negative integer or null, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/** `eos_token_id`: one id or, as transformers accepts, a non-empty list of ids (any of them ends a sequence). */
function eosOrNull(json: HFConfigJSON, field: string, where: string): number | number[] | null {
  const value = json[field];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    return [...(value as number[])];
  }
  if (Array.isArray(value)) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${where}: "${field}" must be a non-negative integer, a non-empty list of them, or null, got ${JSON.stringify(value)}`,
    );
  }
  return tokenOrNull(json, field, where);
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isObject(value)) return value;
  const out: HFConfigJSON = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
  return out;
}

/** Checks a stand-alone sub-config and returns a copy with the role flags the composed model needs. */
function subConfig(json: unknown, role: "encoder" | "decoder", where: string): HFConfigJSON {
  if (!isObject(json)) {
    throw new ComposerError(
      "MISSING_SUB_CONFIG",
      `${where}: the "${role}" sub-config is missing or not an object; an encoder-decoder config.json needs complete "encoder" and "decoder" configs`,
    );
  }
  if (typeof json.model_type !== "string") {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${where}: "${role}.model_type" must be a string (e.g. "bert", "roberta", "gpt2")`,
    );
  }
  const copy = structuredClone(json);
  copy.is_decoder = role === "decoder";
  copy.add_cross_attention = role === "decoder";
  return copy;
}

/**
 * Hugging Face's `EncoderDecoderConfig`: the encoder and decoder sub-configs (kept as the JSON they came as,
 * so that nothing is lost on save), tying and the special tokens of the composed model.
 */
export class EncoderDecoderConfig {
  readonly encoder: HFConfigJSON;
  readonly decoder: HFConfigJSON;
  tieEncoderDecoder: boolean;
  decoderStartTokenId: number | null;
  /** A list when the checkpoint gives several eos ids (generation stops at any of them). */
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
  /** Unknown top-level fields of a loaded config.json, written back unchanged. */
  readonly extra: HFConfigJSON;

  constructor(init: {
    encoder: HFConfigJSON;
    decoder: HFConfigJSON;
    tieEncoderDecoder?: boolean;
    decoderStartTokenId?: number | null;
    eosTokenId?: number | number[] | null;
    padTokenId?: number | null;
    extra?: HFConfigJSON;
  }) {
    this.encoder = subConfig(init.encoder, "encoder", "EncoderDecoderConfig");
    this.decoder = subConfig(init.decoder, "decoder", "EncoderDecoderConfig");
    this.tieEncoderDecoder = init.tieEncoderDecoder ?? false;
    this.decoderStartTokenId = init.decoderStartTokenId ?? null;
    this.eosTokenId = init.eosTokenId ?? null;
    this.padTokenId = init.padTokenId ?? null;
    this.extra = init.extra ?? {};
  }

  /**
   * The config of a fresh composition. Special tokens not given fall back to the decoder's own
   * bos / eos / pad ids (what transformers' generate falls back to); BERT has no bos or eos in its config,
   * so the BERT recipe's [CLS] / [SEP] ids must be given.
   */
  static fromSubConfigs(
    encoder: HFConfigJSON,
    decoder: HFConfigJSON,
    options: { tieEncoderDecoder?: boolean } & Partial<Record<keyof SpecialTokens, number | null>> = {},
  ): EncoderDecoderConfig {
    const where = "decoder config";
    return new EncoderDecoderConfig({
      encoder,
      decoder,
      tieEncoderDecoder: options.tieEncoderDecoder ?? false,
      decoderStartTokenId: options.decoderStartTokenId ?? tokenOrNull(decoder, "bos_token_id", where),
      eosTokenId: options.eosTokenId ?? eosOrNull(decoder, "eos_token_id", where),
      padTokenId: options.padTokenId ?? tokenOrNull(decoder, "pad_token_id", where),
    });
  }

  /** Reads an encoder-decoder config.json object; `source` names the file in errors. */
  static fromJSON(json: unknown, source = "config.json"): EncoderDecoderConfig {
    if (!isObject(json)) {
      throw new ComposerError("INVALID_CONFIG", `${source}: expected a JSON object`);
    }
    const modelType = json.model_type;
    if (!ENCODER_DECODER_MODEL_TYPES.includes(modelType as (typeof ENCODER_DECODER_MODEL_TYPES)[number])) {
      throw new ComposerError(
        "INVALID_CONFIG",
        `${source}: "model_type" is ${JSON.stringify(modelType)}; an EncoderDecoderModel checkpoint has "encoder-decoder" (or the old "encoder_decoder")`,
      );
    }
    for (const role of ["encoder", "decoder"] as const) {
      if (!isObject(json[role])) {
        throw new ComposerError(
          "MISSING_SUB_CONFIG",
          `${source}: no "${role}" sub-config; an encoder-decoder config.json holds the complete ${role} config under "${role}"`,
        );
      }
    }
    const extra: HFConfigJSON = {};
    for (const [key, value] of Object.entries(json)) if (!OWN_KEYS.has(key)) extra[key] = value;
    const tie = json.tie_encoder_decoder;
    if (tie !== undefined && typeof tie !== "boolean") {
      throw new ComposerError(
        "INVALID_CONFIG",
        `${source}: "tie_encoder_decoder" must be true or false, got ${JSON.stringify(tie)}`,
      );
    }
    return new EncoderDecoderConfig({
      encoder: json.encoder as HFConfigJSON,
      decoder: json.decoder as HFConfigJSON,
      tieEncoderDecoder: tie ?? false,
      decoderStartTokenId: tokenOrNull(json, "decoder_start_token_id", source),
      eosTokenId: eosOrNull(json, "eos_token_id", source),
      padTokenId: tokenOrNull(json, "pad_token_id", source),
      extra,
    });
  }

  get encoderModelType(): string {
    return this.encoder.model_type as string;
  }

  get decoderModelType(): string {
    return this.decoder.model_type as string;
  }

  /** The decoder's vocabulary size: the range of valid labels and of the logits' last axis. */
  get vocabSize(): number {
    const value = this.decoder.vocab_size;
    if (!Number.isInteger(value) || (value as number) <= 0) {
      throw new ComposerError(
        "INVALID_CONFIG",
        `decoder config: "vocab_size" must be a positive integer, got ${JSON.stringify(value)}`,
      );
    }
    return value as number;
  }

  /** One special token; a missing one is an error naming the field to set. */
  requireToken(name: keyof SpecialTokens, purpose: string): number {
    const value = this[name];
    if (value === null) {
      throw new ComposerError(
        "MISSING_SPECIAL_TOKEN",
        `${purpose} needs ${TOKEN_FIELDS[name]}, which is not set: set config.${name} (${TOKEN_FIELDS[name]} in config.json) — ${TOKEN_HINTS[name]}`,
      );
    }
    // Of an eos list, the first id is the one a single-id consumer uses (transformers pads with eos_token_id[0]).
    return Array.isArray(value) ? value[0]! : value;
  }

  specialTokens(purpose = "this call"): SpecialTokens {
    return {
      decoderStartTokenId: this.requireToken("decoderStartTokenId", purpose),
      eosTokenId: this.requireToken("eosTokenId", purpose),
      padTokenId: this.requireToken("padTokenId", purpose),
    };
  }

  /**
   * config.json as transformers writes it: keys sorted, complete sub-configs, `dtype` "float32" (what
   * savePretrained stores, whatever the source checkpoint was) at the top and in both sub-configs.
   */
  toJSON(): HFConfigJSON {
    for (const [name, field] of Object.entries(TOKEN_FIELDS)) {
      eosOrNull({ [field]: this[name as keyof SpecialTokens] }, field, "EncoderDecoderConfig");
    }
    const complete = (sub: HFConfigJSON): HFConfigJSON =>
      withStoredDtype({
        ...PRETRAINED_CONFIG_DEFAULTS,
        ...modelFamily(sub.model_type as string)?.configClassDefaults,
        ...sub,
      });
    return sortKeysDeep({
      ...withStoredDtype(this.extra),
      architectures: ["EncoderDecoderModel"],
      decoder: complete(this.decoder),
      decoder_start_token_id: this.decoderStartTokenId,
      encoder: complete(this.encoder),
      eos_token_id: this.eosTokenId,
      is_encoder_decoder: true,
      model_type: "encoder-decoder",
      pad_token_id: this.padTokenId,
      tie_encoder_decoder: this.tieEncoderDecoder,
      vocab_size: this.vocabSize,
    }) as HFConfigJSON;
  }

  /** generation_config.json: the special tokens that are set, as transformers derives it from the model config. */
  generationConfigJSON(): HFConfigJSON {
    const out: HFConfigJSON = { _from_model_config: true };
    for (const [name, field] of Object.entries(TOKEN_FIELDS)) {
      const value = this[name as keyof SpecialTokens];
      if (value !== null) out[field] = value;
    }
    return sortKeysDeep(out) as HFConfigJSON;
  }
}
