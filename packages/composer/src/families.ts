import { BertModel, RobertaModel, bertConfigFromHF, robertaConfigFromHF } from "@warmstart/encoders";
import { BertLMHeadModel, GPT2LMHeadModel, RobertaForCausalLM, gpt2ConfigFromHF } from "@warmstart/decoders";
import type { HFConfigJSON } from "./encoder-decoder-config.js";
import { ComposerError } from "./errors.js";
import type { DecoderModule, EncoderModule } from "./parts.js";

/**
 * What the composer knows about one architecture (`model_type`): how to build it as the encoder or as the
 * cross-attending decoder of a composition, and how its weights are named.
 */
export interface Family {
  modelType: string;
  /** Base-model prefix inside the task classes ("bert.", "roberta.", "transformer."). */
  basePrefix: string;
  hiddenSize(json: HFConfigJSON): number;
  initializerRange(json: HFConfigJSON): number;
  /** HF state-dict names → shapes of the encoder class (with pooler, as AutoModel builds it); null if it cannot encode. */
  encoderShapes: ((json: HFConfigJSON) => Map<string, number[]>) | null;
  /** The same for the causal-LM class with cross-attention (`json` carries is_decoder / add_cross_attention). */
  decoderShapes(json: HFConfigJSON): Map<string, number[]>;
  createEncoder: ((json: HFConfigJSON, seed: number) => EncoderModule) | null;
  createDecoder(json: HFConfigJSON, seed: number): DecoderModule;
  /**
   * For config-only accounting of a Hub pretraining checkpoint of this family: weights such checkpoints do
   * not hold. roberta-base is a RobertaForMaskedLM checkpoint without the pooler, which RobertaModel has.
   */
  hubCheckpointLacks(name: string): boolean;
}

const CROSS_ATTENTION = /(^|\.)(crossattention|ln_cross_attn)\./;

/** Whether a (decoder) weight belongs to a cross-attention block. */
export function isCrossAttention(name: string): boolean {
  return CROSS_ATTENTION.test(name);
}

function intField(json: HFConfigJSON, field: string, where: string): number {
  const value = json[field];
  if (!Number.isInteger(value)) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `${where} config: "${field}" must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

function numberField(json: HFConfigJSON, field: string, fallback: number): number {
  const value = json[field];
  return typeof value === "number" ? value : fallback;
}

function bertLike(
  modelType: "bert" | "roberta",
  build: {
    encoderShapes: (json: HFConfigJSON) => Map<string, number[]>;
    decoderShapes: (json: HFConfigJSON) => Map<string, number[]>;
    createEncoder: (json: HFConfigJSON, seed: number) => EncoderModule;
    createDecoder: (json: HFConfigJSON, seed: number) => DecoderModule;
  },
): Family {
  return {
    modelType,
    basePrefix: `${modelType}.`,
    hiddenSize: (json) => intField(json, "hidden_size", modelType),
    initializerRange: (json) => numberField(json, "initializer_range", 0.02),
    ...build,
    hubCheckpointLacks: (name) => modelType === "roberta" && name.startsWith("pooler."),
  };
}

const FAMILIES: Record<string, Family> = {
  // The encoder is built as AutoModel builds it: with the pooler, which encoder-decoder checkpoints store.
  bert: bertLike("bert", {
    encoderShapes: (json) => BertModel.parameterShapes(bertConfigFromHF(json), { addPoolingLayer: true }),
    decoderShapes: (json) => BertLMHeadModel.parameterShapes(bertConfigFromHF(json)),
    createEncoder: (json, seed) => new BertModel(bertConfigFromHF(json), { seed, addPoolingLayer: true }),
    createDecoder: (json, seed) => new BertLMHeadModel(bertConfigFromHF(json), { seed }),
  }),
  roberta: bertLike("roberta", {
    encoderShapes: (json) => RobertaModel.parameterShapes(robertaConfigFromHF(json), { addPoolingLayer: true }),
    decoderShapes: (json) => RobertaForCausalLM.parameterShapes(robertaConfigFromHF(json)),
    createEncoder: (json, seed) => new RobertaModel(robertaConfigFromHF(json), { seed, addPoolingLayer: true }),
    createDecoder: (json, seed) => new RobertaForCausalLM(robertaConfigFromHF(json), { seed }),
  }),
  gpt2: {
    modelType: "gpt2",
    basePrefix: "transformer.",
    hiddenSize: (json) => intField(json, "n_embd", "gpt2"),
    initializerRange: (json) => numberField(json, "initializer_range", 0.02),
    encoderShapes: null,
    decoderShapes: (json) => GPT2LMHeadModel.parameterShapes(gpt2ConfigFromHF(json)),
    createEncoder: null,
    createDecoder: (json, seed) => new GPT2LMHeadModel(gpt2ConfigFromHF(json), { seed }),
    hubCheckpointLacks: () => false,
  },
};

/** The family of a sub-config, checked for the role it is to play. */
export function familyOf(json: HFConfigJSON, role: "encoder" | "decoder"): Family {
  const modelType = json.model_type;
  const family = typeof modelType === "string" ? FAMILIES[modelType] : undefined;
  if (family === undefined) {
    const known = Object.keys(FAMILIES).join(", ");
    throw new ComposerError(
      "UNSUPPORTED_MODEL_TYPE",
      `${role} config: model_type ${JSON.stringify(modelType)} is not supported (supported: ${known})`,
    );
  }
  if (role === "encoder" && family.createEncoder === null) {
    throw new ComposerError(
      "UNSUPPORTED_MODEL_TYPE",
      `encoder config: model_type "${family.modelType}" is a decoder-only architecture; use bert or roberta as the encoder`,
    );
  }
  return family;
}

/** Encoder shapes of a family known to encode (checked by familyOf). */
export function encoderShapes(family: Family, json: HFConfigJSON): Map<string, number[]> {
  return (family.encoderShapes as NonNullable<Family["encoderShapes"]>)(json);
}

export function createEncoder(family: Family, json: HFConfigJSON, seed: number): EncoderModule {
  return (family.createEncoder as NonNullable<Family["createEncoder"]>)(json, seed);
}

/**
 * Whether a checkpoint whose tensor names are `names` provides the model weight `name` of a class with base
 * prefix `basePrefix`: the same resolution the model classes' loadWeights applies (with or without the
 * base-model prefix, legacy LayerNorm gamma/beta).
 */
export function checkpointProvides(names: ReadonlySet<string>, name: string, basePrefix: string): boolean {
  const candidates = [name, name.startsWith(basePrefix) ? name.slice(basePrefix.length) : basePrefix + name];
  return candidates.some(
    (c) => names.has(c) || names.has(c.replace(/\.weight$/, ".gamma")) || names.has(c.replace(/\.bias$/, ".beta")),
  );
}
