// BERT as a decoder (Hugging Face `BertLMHeadModel`): the encoders package's BERT embeddings and layers with a
// causal mask combined with the padding mask, cross-attention on the encoder states, a key/value cache, and the
// MLM-style LM head. `BertDecoderBase` is the stack and head with the head's weight names left to the subclass:
// BertLMHeadModel here (`cls.predictions.*`), RobertaForCausalLM in ../roberta/model.ts (`lm_head.*`).
import { layerNorm, linear, tf } from "@warmstart/tensors";
import {
  bertEmbeddings,
  bertEmbeddingSpecs,
  bertEncoder,
  bertEncoderSpecs,
  bertConfigFromHF,
  prepareBertInputs,
  type BertConfig,
  type LayerContext,
} from "@warmstart/encoders";
import {
  activation,
  causalPaddingMask,
  layerNormSpecs,
  loadCheckpointInto,
  ModelConfigError,
  type ModelOptions,
  paddingMask,
  type ParameterSpec,
  type ParameterSpecs,
  PretrainedModule,
  readPretrainedConfig,
  specsToShapes,
  type FromPretrainedOptions,
  type HFConfigJSON,
} from "@warmstart/modeling";
import { tiedOutput } from "../tied-output.js";
import { decoderOverrides, type DecoderPretrainedOptions } from "../decoder-config.js";
import { prepareDecoderStep, type DecoderInput, type DecoderOutput } from "../decoder-inputs.js";

export type DecoderOptions = ModelOptions;

/**
 * Where an MLM-style LM head keeps its weights: dense → activation → LayerNorm → · word_embeddingsᵀ + bias.
 * BERT's `cls.predictions` and RoBERTa's `lm_head` differ only in these names and in the activation.
 */
export interface LmHeadLayout {
  basePrefix: "bert." | "roberta.";
  dense: string;
  norm: string;
  bias: string;
  /** The output matrix's own name (`[vocab, hidden]`): a parameter only when `tie_word_embeddings` is false. */
  outputWeight: string;
  /** The output Linear's own bias name; the bias parameter's name when `tie_word_embeddings` is false. */
  outputBias: string;
  /** The stored copies of tied tensors that checkpoints carry under the head's name. */
  tiedAliases: Record<string, string>;
}

/**
 * Checkpoint names that are copies of another parameter. Tied: the head's `decoder.weight` / `decoder.bias` are
 * the word embeddings / the head bias. Untied (`tie_word_embeddings: false`), transformers 5 keeps the Linear's
 * own `decoder.bias` (the one its forward adds) next to an unused `bias`, and 4.x stores the one shared bias as
 * `bias`: the parameter is `decoder.bias`, filled from `bias` only when a checkpoint lacks it.
 */
function aliasesFor(config: BertConfig, layout: LmHeadLayout): Record<string, string> {
  return config.tieWordEmbeddings ? layout.tiedAliases : { [layout.bias]: layout.outputBias };
}

function outputSpec(name: string, config: BertConfig): [string, ParameterSpec] {
  return [
    name,
    { shape: [config.vocabSize, config.hiddenSize], init: { kind: "normal", std: config.initializerRange } },
  ];
}

export function lmHeadSpecs(config: BertConfig, layout: LmHeadLayout): ParameterSpecs {
  const h = config.hiddenSize;
  return new Map([
    [`${layout.dense}.weight`, { shape: [h, h], init: { kind: "normal", std: config.initializerRange } }],
    [`${layout.dense}.bias`, { shape: [h], init: { kind: "zeros" } }],
    ...layerNormSpecs(layout.norm, h),
    // tie_word_embeddings: false keeps a separate output matrix, an nn.Linear that _init_weights draws normal.
    ...(config.tieWordEmbeddings ? [] : [outputSpec(layout.outputWeight, config)]),
    [
      config.tieWordEmbeddings ? layout.bias : layout.outputBias,
      { shape: [config.vocabSize], init: { kind: "zeros" } },
    ],
  ]);
}

export abstract class BertDecoderBase extends PretrainedModule<BertConfig> implements LayerContext {
  /** `bert.` or `roberta.`: where the base model's weights live. */
  readonly basePrefix: string;

  readonly #layout: LmHeadLayout;
  readonly #activation: (x: tf.Tensor) => tf.Tensor;

  protected constructor(config: BertConfig, layout: LmHeadLayout, headActivation: string, options: DecoderOptions) {
    if (config.addCrossAttention && !config.isDecoder) {
      throw new ModelConfigError(
        "INVALID_FIELD",
        "is_decoder",
        "add_cross_attention needs is_decoder: true (cross-attention exists only in decoders)",
      );
    }
    super(
      config,
      BertDecoderBase.specsFor(config, layout),
      { basePrefix: layout.basePrefix, tiedAliases: aliasesFor(config, layout) },
      options,
    );
    this.basePrefix = layout.basePrefix;
    this.#layout = layout;
    this.#activation = activation(headActivation, "hidden_act");
  }

  /** Base model (embeddings and layers, no pooler) plus the LM head. */
  protected static specsFor(config: BertConfig, layout: LmHeadLayout): ParameterSpecs {
    return new Map([
      ...bertEmbeddingSpecs(config, layout.basePrefix),
      ...bertEncoderSpecs(config, layout.basePrefix),
      ...lmHeadSpecs(config, layout),
    ]);
  }

  protected static shapesFor(config: BertConfig, layout: LmHeadLayout): Map<string, number[]> {
    return specsToShapes(BertDecoderBase.specsFor(config, layout));
  }

  /**
   * Checkpoint names to write as copies of a parameter (name → parameter), so that both transformers lines find
   * every weight they expect: an untied head's bias also as the `bias` that 4.x stores it under.
   */
  savedCopies(): Record<string, string> {
    return this.config.tieWordEmbeddings ? {} : { [this.#layout.bias]: this.#layout.outputBias };
  }

  weight(name: string): tf.Tensor {
    return this.parameters.get(name);
  }

  override dropout<T extends tf.Tensor>(x: T, rate: number): T {
    return super.dropout(x, rate);
  }

  /**
   * `[tokens, hidden]` final states → `[tokens, vocab]` logits; the output matrix is the word embedding table,
   * or the head's own matrix when `tie_word_embeddings` is false.
   */
  #head(hidden: tf.Tensor2D): tf.Tensor2D {
    const { dense, norm, bias, basePrefix, outputWeight, outputBias } = this.#layout;
    const transformed = this.#activation(
      linear(hidden, this.weight(`${dense}.weight`), this.weight(`${dense}.bias`), "out_in"),
    );
    const normed = layerNorm(
      transformed,
      this.weight(`${norm}.weight`),
      this.weight(`${norm}.bias`),
      this.config.layerNormEps,
    );
    const tied = this.config.tieWordEmbeddings;
    const table = tied ? `${basePrefix}embeddings.word_embeddings.weight` : outputWeight;
    return tiedOutput(normed as tf.Tensor2D, this.weight(table), this.weight(tied ? bias : outputBias));
  }

  forward(input: DecoderInput): DecoderOutput {
    return tf.tidy(() => {
      const config = this.config;
      const prefix = this.basePrefix;
      const ids = prepareBertInputs(config, input.inputIds, undefined, 0);
      const { batch, length } = ids.ids;
      const step = prepareDecoderStep(
        input,
        batch,
        length,
        config.numHiddenLayers,
        config.hiddenSize,
        config.addCrossAttention,
      );
      const inputs = step.offset === 0 ? ids : prepareBertInputs(config, input.inputIds, undefined, step.offset);
      const keys = step.past + length;
      // Hugging Face uses a causal mask only when is_decoder is set; otherwise the stack attends both ways.
      const selfMask = config.isDecoder
        ? causalPaddingMask(batch, length, keys, step.mask)
        : step.mask === undefined
          ? undefined
          : paddingMask(step.mask);
      const embedded = bertEmbeddings(this, config, prefix, inputs);
      const out = bertEncoder(this, config, prefix, embedded, {
        batch,
        length,
        selfMask,
        past: input.pastKeyValues,
        cross: step.cross,
        useCache: input.useCache === true,
      });
      const logits = tf.reshape(this.#head(out.hidden), [batch, length, config.vocabSize]) as tf.Tensor3D;
      return input.useCache === true ? { logits, pastKeyValues: out.keyValues } : { logits };
    });
  }
}

// ---- BertLMHeadModel: `bert.*` without pooler, then `cls.predictions`: dense → hidden_act → LayerNorm →
// · word_embeddingsᵀ + bias (the output matrix is the word embedding table). ----

const BERT_LM_HEAD: LmHeadLayout = {
  basePrefix: "bert.",
  dense: "cls.predictions.transform.dense",
  norm: "cls.predictions.transform.LayerNorm",
  bias: "cls.predictions.bias",
  outputWeight: "cls.predictions.decoder.weight",
  outputBias: "cls.predictions.decoder.bias",
  tiedAliases: {
    "cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
    "cls.predictions.decoder.bias": "cls.predictions.bias",
  },
};

export class BertLMHeadModel extends BertDecoderBase {
  constructor(config: BertConfig, options: DecoderOptions = {}) {
    super(config, BERT_LM_HEAD, config.hiddenAct, options);
  }

  /** Names → shapes without allocating; `addCrossAttention` overrides the config's. */
  static parameterShapes(config: BertConfig, options: { addCrossAttention?: boolean } = {}): Map<string, number[]> {
    return BertDecoderBase.shapesFor(
      { ...config, addCrossAttention: options.addCrossAttention ?? config.addCrossAttention },
      BERT_LM_HEAD,
    );
  }

  /** From a config.json; `is_decoder` defaults to true here (this class is meant as a decoder). */
  static fromConfig(
    json: HFConfigJSON,
    options: DecoderOptions & { addCrossAttention?: boolean } = {},
  ): BertLMHeadModel {
    return new BertLMHeadModel(bertConfigFromHF(decoderOverrides(json, options)), options);
  }

  static async fromPretrained(
    idOrPath: string,
    options: DecoderPretrainedOptions & FromPretrainedOptions = {},
  ): Promise<BertLMHeadModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(BertLMHeadModel.fromConfig(json, options), dir, options);
  }
}
