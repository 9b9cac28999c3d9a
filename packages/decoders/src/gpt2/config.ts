import { activation, ConfigReader, type HFConfigJSON, ModelConfigError, modelTypeOf } from "@warmstart/modeling";

/**
 * A GPT-2 `config.json` in camelCase. Each field names its snake_case key and Hugging Face's `GPT2Config`
 * default, used when the file omits it. `original` keeps the file so saving round-trips unknown fields.
 */
export interface GPT2Config {
  modelType: "gpt2";
  /** `vocab_size` (50257). */
  vocabSize: number;
  /** `n_positions` (1024): length of the position table. */
  nPositions: number;
  /** `n_embd` (768): the hidden size, a multiple of `n_head`. */
  nEmbd: number;
  /** `n_layer` (12). */
  nLayer: number;
  /** `n_head` (12). */
  nHead: number;
  /** `n_inner` (null): the MLP width; null means 4·nEmbd. */
  nInner: number | null;
  /** `activation_function` ("gelu_new"): an `ACT2FN` name. */
  activationFunction: string;
  /** `resid_pdrop` (0.1): dropout on the attention and MLP outputs. */
  residPdrop: number;
  /** `embd_pdrop` (0.1): dropout on the embeddings. */
  embdPdrop: number;
  /** `attn_pdrop` (0.1): dropout on the attention weights. */
  attnPdrop: number;
  /** `layer_norm_epsilon` (1e-5). */
  layerNormEpsilon: number;
  /** `initializer_range` (0.02): standard deviation of the normal initialiser. */
  initializerRange: number;
  /** `scale_attn_weights` (true): divide attention scores by sqrt(head size). */
  scaleAttnWeights: boolean;
  /** `scale_attn_by_inverse_layer_idx` (false): also divide them by (layer index + 1). */
  scaleAttnByInverseLayerIdx: boolean;
  /** `is_decoder` (false): GPT-2 is always causal; kept for configs that set it (as encoder-decoder decoders do). */
  isDecoder: boolean;
  /** `add_cross_attention` (false): `crossattention` + `ln_cross_attn` in every block. */
  addCrossAttention: boolean;
  /** `bos_token_id` (50256). */
  bosTokenId: number | null;
  /** `eos_token_id` (50256). */
  eosTokenId: number | null;
  /** `pad_token_id` (null). */
  padTokenId: number | null;
  /** `use_cache` (true). */
  useCache: boolean;
  /** `tie_word_embeddings` (true): logits = h · wteᵀ, no `lm_head.weight` of its own. */
  tieWordEmbeddings: boolean;
  original: HFConfigJSON;
}

/** The one place GPT-2's snake_case config.json is mapped; throws ModelConfigError naming the bad field. */
export function gpt2ConfigFromHF(json: HFConfigJSON): GPT2Config {
  const type = json.model_type === undefined ? "gpt2" : modelTypeOf(json);
  if (type !== "gpt2") {
    throw new ModelConfigError("UNKNOWN_MODEL_TYPE", "model_type", `expected model_type "gpt2", got "${type}"`);
  }
  const r = new ConfigReader(json, "gpt2");
  const nEmbd = r.size("n_embd", 768);
  const nHead = r.size("n_head", 12);
  r.requireDivisible("n_embd", nEmbd, "n_head", nHead);
  const activationFunction = r.string("activation_function", "gelu_new");
  activation(activationFunction, "activation_function");
  // reorder_and_upcast_attn only changes half-precision arithmetic; float32 attention is the same either way.
  r.bool("reorder_and_upcast_attn", false);
  const vocabSize = r.size("vocab_size", 50257);
  return {
    modelType: "gpt2",
    vocabSize,
    nPositions: r.size("n_positions", 1024),
    nEmbd,
    nLayer: r.layers("n_layer", 12),
    nHead,
    nInner: r.has("n_inner") ? r.size("n_inner") : null,
    activationFunction,
    residPdrop: r.probability("resid_pdrop", 0.1),
    embdPdrop: r.probability("embd_pdrop", 0.1),
    attnPdrop: r.probability("attn_pdrop", 0.1),
    layerNormEpsilon: r.positive("layer_norm_epsilon", 1e-5),
    initializerRange: r.positive("initializer_range", 0.02),
    scaleAttnWeights: r.bool("scale_attn_weights", true),
    scaleAttnByInverseLayerIdx: r.bool("scale_attn_by_inverse_layer_idx", false),
    isDecoder: r.bool("is_decoder", false),
    addCrossAttention: r.bool("add_cross_attention", false),
    bosTokenId: r.optionalInt("bos_token_id", 50256),
    eosTokenId: r.optionalInt("eos_token_id", 50256),
    padTokenId: r.optionalInt("pad_token_id", null),
    useCache: r.bool("use_cache", true),
    tieWordEmbeddings: r.bool("tie_word_embeddings", true),
    original: structuredClone(json),
  };
}

export function gpt2ConfigToHF(config: GPT2Config): HFConfigJSON {
  return {
    ...structuredClone(config.original),
    model_type: "gpt2",
    vocab_size: config.vocabSize,
    n_positions: config.nPositions,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: config.nInner,
    activation_function: config.activationFunction,
    resid_pdrop: config.residPdrop,
    embd_pdrop: config.embdPdrop,
    attn_pdrop: config.attnPdrop,
    layer_norm_epsilon: config.layerNormEpsilon,
    initializer_range: config.initializerRange,
    scale_attn_weights: config.scaleAttnWeights,
    scale_attn_by_inverse_layer_idx: config.scaleAttnByInverseLayerIdx,
    is_decoder: config.isDecoder,
    add_cross_attention: config.addCrossAttention,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    pad_token_id: config.padTokenId,
    use_cache: config.useCache,
    tie_word_embeddings: config.tieWordEmbeddings,
  };
}
