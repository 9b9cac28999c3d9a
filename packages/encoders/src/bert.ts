// BERT encoder (Hugging Face `BertModel`): embeddings, post-LayerNorm transformer layers, optional tanh pooler.
import { linear, tf } from "@warmstart/tensors";
import {
  causalPaddingMask,
  type FromPretrainedOptions,
  type HFConfigJson,
  type IdInput,
  loadCheckpointInto,
  ModelConfigError,
  type ModelOptions,
  paddingMask,
  type ParameterSpecs,
  PretrainedModule,
  readMask,
  readPretrainedConfig,
  specsToShapes,
} from "@warmstart/modeling";
import { bertConfigFromHF, type BertConfig } from "./bert-config.js";
import {
  bertEmbeddings,
  bertEmbeddingSpecs,
  bertEncoder,
  bertEncoderSpecs,
  bertPoolerSpecs,
  prepareBertInputs,
  type LayerContext,
} from "./bert-layers.js";

export interface EncoderOptions extends ModelOptions {
  /** Include `pooler.dense` (default true, as Hugging Face's `BertModel`). */
  addPoolingLayer?: boolean;
}

export interface EncoderInput {
  /** `[batch, length]` token ids. */
  inputIds: IdInput;
  /** `[batch, length]`, 1 = token, 0 = padding; default all ones. */
  attentionMask?: IdInput;
  /** `[batch, length]` segment ids; default all zeros. */
  tokenTypeIds?: IdInput;
}

export interface EncoderOutput {
  /** `[batch, length, hidden]`, padded positions included. */
  lastHiddenState: tf.Tensor3D;
  /** `[batch, hidden]`: tanh(dense(first token)), when the model has a pooler. */
  poolerOutput?: tf.Tensor2D;
}

/** BERT and RoBERTa share this class's graph; `config.modelType` selects how position ids are derived. */
export class BertModel extends PretrainedModule<BertConfig> implements LayerContext {
  readonly hasPooler: boolean;

  constructor(config: BertConfig, options: EncoderOptions = {}) {
    if (config.addCrossAttention) {
      throw new ModelConfigError(
        "UNSUPPORTED_FEATURE",
        "add_cross_attention",
        "the encoder classes have no cross-attention; use BertLMHeadModel / RobertaForCausalLM from @warmstart/decoders",
      );
    }
    super(config, BertModel.parameterSpecs(config, options), { basePrefix: `${config.modelType}.` }, options);
    this.hasPooler = options.addPoolingLayer ?? true;
  }

  static parameterSpecs(config: BertConfig, options: EncoderOptions = {}): ParameterSpecs {
    return new Map([
      ...bertEmbeddingSpecs(config, ""),
      ...bertEncoderSpecs(config, ""),
      ...((options.addPoolingLayer ?? true) ? bertPoolerSpecs(config, "") : []),
    ]);
  }

  /** Parameter names → shapes, without allocating anything (for counting parameters of large configs). */
  static parameterShapes(config: BertConfig, options: EncoderOptions = {}): Map<string, number[]> {
    return specsToShapes(this.parameterSpecs(config, options));
  }

  static fromConfig(json: HFConfigJson, options: EncoderOptions = {}): BertModel {
    return new BertModel(bertConfigFromHF(json), options);
  }

  static async fromPretrained(
    idOrPath: string,
    options: EncoderOptions & FromPretrainedOptions = {},
  ): Promise<BertModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(new BertModel(bertConfigFromHF(json), options), dir, options);
  }

  weight(name: string): tf.Tensor {
    return this.parameters.get(name);
  }

  override dropout<T extends tf.Tensor>(x: T, rate: number): T {
    return super.dropout(x, rate);
  }

  forward(input: EncoderInput): EncoderOutput {
    return tf.tidy(() => {
      const inputs = prepareBertInputs(this.config, input.inputIds, input.tokenTypeIds, 0);
      const { batch, length } = inputs.ids;
      const padding =
        input.attentionMask === undefined
          ? undefined
          : readMask(input.attentionMask, batch, length, "attentionMask", "the shape of inputIds");
      // As Hugging Face's BertModel: a config with is_decoder attends causally.
      const mask = this.config.isDecoder
        ? causalPaddingMask(batch, length, length, padding)
        : padding === undefined
          ? undefined
          : paddingMask(padding);
      const embedded = bertEmbeddings(this, this.config, "", inputs);
      const { hidden } = bertEncoder(this, this.config, "", embedded, { batch, length, selfMask: mask });
      const lastHiddenState = tf.reshape(hidden, [batch, length, this.config.hiddenSize]) as tf.Tensor3D;
      if (!this.hasPooler) return { lastHiddenState };
      const first = tf.reshape(tf.slice(lastHiddenState, [0, 0, 0], [batch, 1, this.config.hiddenSize]), [
        batch,
        this.config.hiddenSize,
      ]);
      const poolerOutput = tf.tanh(
        linear(first, this.weight("pooler.dense.weight"), this.weight("pooler.dense.bias"), "out_in"),
      ) as tf.Tensor2D;
      return { lastHiddenState, poolerOutput };
    });
  }
}
