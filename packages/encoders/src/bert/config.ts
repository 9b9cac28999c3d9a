import { activation, ConfigReader, type HFConfigJSON, ModelConfigError, modelTypeOf } from "@warmstart/modeling";

/**
 * A BERT-family `config.json` in camelCase (RoBERTa's config is this one with `modelType: "roberta"`). Each field
 * names its snake_case key and Hugging Face's `BertConfig` default, used when the file omits it. `original`
 * keeps the file so saving round-trips unknown fields.
 */
export interface BertConfig {
  /** `model_type`: which family's position ids and defaults apply. */
  modelType: "bert" | "roberta";
  /** `vocab_size` (30522; RoBERTa 50265). */
  vocabSize: number;
  /** `hidden_size` (768), a multiple of `num_attention_heads`. */
  hiddenSize: number;
  /** `num_hidden_layers` (12). */
  numHiddenLayers: number;
  /** `num_attention_heads` (12). */
  numAttentionHeads: number;
  /** `intermediate_size` (3072): the feed-forward width. */
  intermediateSize: number;
  /** `hidden_act` ("gelu"): an `ACT2FN` name; "gelu" is the exact erf form. */
  hiddenAct: string;
  /** `hidden_dropout_prob` (0.1): dropout after embeddings, attention output and feed-forward. */
  hiddenDropoutProb: number;
  /** `attention_probs_dropout_prob` (0.1): dropout on the attention weights. */
  attentionProbsDropoutProb: number;
  /** `max_position_embeddings` (512): rows of the position table. */
  maxPositionEmbeddings: number;
  /** `type_vocab_size` (2): rows of the segment table. */
  typeVocabSize: number;
  /** `initializer_range` (0.02): standard deviation of the normal initialiser of Linear and Embedding weights. */
  initializerRange: number;
  /** `layer_norm_eps` (1e-12). */
  layerNormEps: number;
  /**
   * `pad_token_id` (0; RoBERTa 1): row of the word (and for RoBERTa, position) embeddings that stays zero;
   * RoBERTa derives positions from it.
   */
  padTokenId: number | null;
  /** `bos_token_id` (null; RoBERTa 0). */
  bosTokenId: number | null;
  /** `eos_token_id` (null; RoBERTa 2). */
  eosTokenId: number | null;
  /** `is_decoder` (false): causal self-attention (the decoder of an encoder-decoder, or a causal LM). */
  isDecoder: boolean;
  /** `add_cross_attention` (false): a cross-attention block after each self-attention block (decoders only). */
  addCrossAttention: boolean;
  /** `use_cache` (true). */
  useCache: boolean;
  /** `tie_word_embeddings` (true): the LM head's output matrix is the word embedding table. */
  tieWordEmbeddings: boolean;
  original: HFConfigJSON;
}

/**
 * The constructor defaults in which Hugging Face's configs of the BERT family differ (BertConfig, and
 * RobertaConfig which derives from it); every other omitted field takes BertConfig's default below.
 */
export interface BertFamilyDefaults {
  modelType: BertConfig["modelType"];
  vocabSize: number;
  padTokenId: number | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

const BERT_DEFAULTS: BertFamilyDefaults = {
  modelType: "bert",
  vocabSize: 30522,
  padTokenId: 0,
  bosTokenId: null,
  eosTokenId: null,
};

/**
 * Reads a config.json of the BERT family with that family's defaults; throws ModelConfigError naming the bad
 * field. The families' own `*ConfigFromHF` call this and add their own checks.
 */
export function readBertFamilyConfig(json: HFConfigJSON, defaults: BertFamilyDefaults): BertConfig {
  const modelType = defaults.modelType;
  const type = json.model_type === undefined ? modelType : modelTypeOf(json);
  if (type !== modelType) {
    throw new ModelConfigError("UNKNOWN_MODEL_TYPE", "model_type", `expected model_type "${modelType}", got "${type}"`);
  }
  const r = new ConfigReader(json, modelType);
  const hiddenSize = r.size("hidden_size", 768);
  const numAttentionHeads = r.size("num_attention_heads", 12);
  r.requireDivisible("hidden_size", hiddenSize, "num_attention_heads", numAttentionHeads);
  const hiddenAct = r.string("hidden_act", "gelu");
  activation(hiddenAct, "hidden_act");
  const positionType = r.string("position_embedding_type", "absolute");
  if (positionType !== "absolute") {
    throw new ModelConfigError(
      "UNSUPPORTED_FEATURE",
      "position_embedding_type",
      `position_embedding_type "${positionType}" is not supported (only "absolute")`,
    );
  }
  const vocabSize = r.size("vocab_size", defaults.vocabSize);
  const maxPositionEmbeddings = r.size("max_position_embeddings", 512);
  const padTokenId = r.index("pad_token_id", vocabSize, "vocab_size", defaults.padTokenId);
  return {
    modelType,
    vocabSize,
    hiddenSize,
    numHiddenLayers: r.layers("num_hidden_layers", 12),
    numAttentionHeads,
    intermediateSize: r.size("intermediate_size", 3072),
    hiddenAct,
    hiddenDropoutProb: r.probability("hidden_dropout_prob", 0.1),
    attentionProbsDropoutProb: r.probability("attention_probs_dropout_prob", 0.1),
    maxPositionEmbeddings,
    typeVocabSize: r.size("type_vocab_size", 2),
    initializerRange: r.positive("initializer_range", 0.02),
    layerNormEps: r.positive("layer_norm_eps", 1e-12),
    padTokenId,
    bosTokenId: r.optionalInt("bos_token_id", defaults.bosTokenId),
    eosTokenId: r.optionalInt("eos_token_id", defaults.eosTokenId),
    isDecoder: r.bool("is_decoder", false),
    addCrossAttention: r.bool("add_cross_attention", false),
    useCache: r.bool("use_cache", true),
    tieWordEmbeddings: r.bool("tie_word_embeddings", true),
    original: structuredClone(json),
  };
}

/** The one place BERT's snake_case `config.json` is mapped; throws ModelConfigError naming the bad field. */
export function bertConfigFromHF(json: HFConfigJSON): BertConfig {
  return readBertFamilyConfig(json, BERT_DEFAULTS);
}

/** Back to `config.json` form: the original fields (unknown ones included) overwritten by the typed ones. */
export function bertConfigToHF(config: BertConfig): HFConfigJSON {
  return {
    ...structuredClone(config.original),
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    initializer_range: config.initializerRange,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: config.padTokenId,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    is_decoder: config.isDecoder,
    add_cross_attention: config.addCrossAttention,
    use_cache: config.useCache,
    tie_word_embeddings: config.tieWordEmbeddings,
    position_embedding_type: "absolute",
  };
}
