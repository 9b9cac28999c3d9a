import { activation, ConfigReader, type HFConfigJson, ModelConfigError, modelTypeOf } from "@warmstart/modeling";

/** A BERT or RoBERTa `config.json` in camelCase. `original` keeps the file so saving round-trips unknown fields. */
export interface BertConfig {
  modelType: "bert" | "roberta";
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Feed-forward width. */
  intermediateSize: number;
  /** An `ACT2FN` name: "gelu" is the exact erf form. */
  hiddenAct: string;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  /** Standard deviation of the normal initialiser of Linear and Embedding weights. */
  initializerRange: number;
  layerNormEps: number;
  /** Row of the word (and for RoBERTa, position) embeddings that stays zero; RoBERTa derives positions from it. */
  padTokenId: number | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** Causal self-attention (used as the decoder of an encoder-decoder or as a causal LM). */
  isDecoder: boolean;
  /** Adds a cross-attention block after each self-attention block (decoders only). */
  addCrossAttention: boolean;
  useCache: boolean;
  tieWordEmbeddings: boolean;
  original: HFConfigJson;
}

export type RobertaConfig = BertConfig & { modelType: "roberta" };

// Hugging Face's BertConfig/RobertaConfig constructor defaults, for fields a config.json may omit.
const BERT_DEFAULTS = { bert: { pad: 0, bos: null, eos: null }, roberta: { pad: 1, bos: 0, eos: 2 } } as const;

function parse(json: HFConfigJson, modelType: "bert" | "roberta"): BertConfig {
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
  const vocabSize = r.size("vocab_size", modelType === "bert" ? 30522 : 50265);
  const maxPositionEmbeddings = r.size("max_position_embeddings", 512);
  const defaults = BERT_DEFAULTS[modelType];
  const padTokenId = r.index("pad_token_id", vocabSize, "vocab_size", defaults.pad);
  if (modelType === "roberta") {
    if (padTokenId === null) {
      throw new ModelConfigError(
        "INVALID_FIELD",
        "pad_token_id",
        "RoBERTa needs pad_token_id: its position ids are derived from it",
      );
    }
    if (padTokenId + 1 >= maxPositionEmbeddings) {
      throw new ModelConfigError(
        "INVALID_FIELD",
        "max_position_embeddings",
        `RoBERTa positions start at pad_token_id + 1 = ${padTokenId + 1}, beyond max_position_embeddings ${maxPositionEmbeddings}`,
      );
    }
  }
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
    bosTokenId: r.optionalInt("bos_token_id", defaults.bos),
    eosTokenId: r.optionalInt("eos_token_id", defaults.eos),
    isDecoder: r.bool("is_decoder", false),
    addCrossAttention: r.bool("add_cross_attention", false),
    useCache: r.bool("use_cache", true),
    tieWordEmbeddings: r.bool("tie_word_embeddings", true),
    original: structuredClone(json),
  };
}

/** The one place BERT's snake_case `config.json` is mapped; throws ModelConfigError naming the bad field. */
export function bertConfigFromHF(json: HFConfigJson): BertConfig {
  return parse(json, "bert");
}

export function robertaConfigFromHF(json: HFConfigJson): RobertaConfig {
  return parse(json, "roberta") as RobertaConfig;
}

/** Back to `config.json` form: the original fields (unknown ones included) overwritten by the typed ones. */
export function bertConfigToHF(config: BertConfig): HFConfigJson {
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

export const robertaConfigToHF: (config: RobertaConfig) => HFConfigJson = bertConfigToHF;
