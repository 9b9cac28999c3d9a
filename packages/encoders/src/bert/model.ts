// BERT (Hugging Face `modeling_bert`): embeddings, post-LayerNorm transformer layers (self-attention, optional
// cross-attention, feed-forward) and the tanh pooler, in one file. `BertModel` is the encoder; the layer
// functions are exported because `@warmstart/decoders` builds BertLMHeadModel / RobertaForCausalLM from the same
// code (causal masks and cross-attention are options of the same layer, never a copy). RoBERTa reuses all of it.
import { layerNorm, linear, tf } from "@warmstart/tensors";
import {
  activation,
  causalPaddingMask,
  checkIdRange,
  checkShape,
  loadCheckpointInto,
  mergeHeads,
  ModelConfigError,
  ModelInputError,
  paddingMask,
  PretrainedModule,
  readIdBatch,
  readMask,
  readPretrainedConfig,
  sharedKeyAttention,
  specsToShapes,
  splitHeads,
  type CrossAttentionInput,
  type FromPretrainedOptions,
  type HFConfigJSON,
  type IdBatch,
  type IdInput,
  type LayerKeyValues,
  type ModelOptions,
  type ParameterSpecs,
} from "@warmstart/modeling";
import { bertConfigFromHF, type BertConfig } from "./config.js";
import { bertEmbeddingSpecs, bertEncoderSpecs, bertPoolerSpecs } from "./weights.js";

/** What the layer functions need from the model that owns the weights. */
export interface LayerContext {
  /** The parameter of that Hugging Face name, read at call time (so tied parameters work). */
  weight(name: string): tf.Tensor;
  /** Dropout in training mode, identity otherwise. */
  dropout<T extends tf.Tensor>(x: T, rate: number): T;
}

// ---- inputs ----

/** Validated ids, position ids and token type ids of one forward pass, as int32 `[B, T]` tensors. */
export interface BertInputs {
  ids: IdBatch;
  positions: tf.Tensor2D;
  tokenTypes: tf.Tensor2D;
}

/**
 * Checks ids against the vocabulary and derives position ids: BERT uses offset..offset+T-1; RoBERTa uses
 * pad + 1 + offset + (non-pad tokens so far), with pad tokens at position pad. Positions past the table
 * are an error (a gather would silently return zeros). Call inside a tidy.
 */
export function prepareBertInputs(
  config: BertConfig,
  inputIds: IdInput,
  tokenTypeIds: IdInput | undefined,
  offset: number,
): BertInputs {
  const ids = readIdBatch(inputIds, "inputIds");
  checkIdRange(ids, config.vocabSize, "inputIds", "vocab_size");
  const { batch, length } = ids;
  const positions = new Int32Array(batch * length);
  let largest = 0;
  for (let b = 0; b < batch; b++) {
    let counted = offset; // RoBERTa: non-pad tokens up to and including this one, after `offset` earlier ones
    for (let t = 0; t < length; t++) {
      const i = b * length + t;
      let position = offset + t;
      if (config.modelType === "roberta") {
        const pad = config.padTokenId as number;
        if (ids.values[i] !== pad) counted += 1;
        position = ids.values[i] === pad ? pad : pad + counted;
      }
      positions[i] = position;
      largest = Math.max(largest, position);
    }
  }
  if (largest >= config.maxPositionEmbeddings) {
    throw new ModelInputError(
      "SEQUENCE_TOO_LONG",
      `position id ${largest} (sequence length ${length}, offset ${offset}) exceeds max_position_embeddings ${config.maxPositionEmbeddings}` +
        (config.modelType === "roberta"
          ? ` (RoBERTa positions start at pad_token_id + 1 = ${(config.padTokenId as number) + 1})`
          : ""),
    );
  }
  let tokenTypes: tf.Tensor2D;
  if (tokenTypeIds === undefined) {
    tokenTypes = tf.zeros([batch, length], "int32");
  } else {
    const types = readIdBatch(tokenTypeIds, "tokenTypeIds");
    checkShape(types, batch, length, "tokenTypeIds", "the shape of inputIds");
    checkIdRange(types, config.typeVocabSize, "tokenTypeIds", "type_vocab_size");
    tokenTypes = types.tensor;
  }
  return { ids, positions: tf.tensor2d(positions, [batch, length], "int32"), tokenTypes };
}

// ---- forward ----

function dense(ctx: LayerContext, name: string, x: tf.Tensor): tf.Tensor2D {
  return linear(x, ctx.weight(`${name}.weight`), ctx.weight(`${name}.bias`), "out_in") as tf.Tensor2D;
}

function norm(ctx: LayerContext, name: string, x: tf.Tensor, eps: number): tf.Tensor2D {
  return layerNorm(x, ctx.weight(`${name}.weight`), ctx.weight(`${name}.bias`), eps) as tf.Tensor2D;
}

/** Word + position + token type embeddings, LayerNorm, dropout: `[B*T, hidden]`. */
export function bertEmbeddings(ctx: LayerContext, config: BertConfig, prefix: string, inputs: BertInputs): tf.Tensor2D {
  const e = `${prefix}embeddings`;
  const gather = (table: string, ids: tf.Tensor2D) =>
    tf.gather(ctx.weight(`${e}.${table}.weight`), tf.reshape(ids, [-1]));
  const sum = tf.addN([
    gather("word_embeddings", inputs.ids.tensor),
    gather("token_type_embeddings", inputs.tokenTypes),
    gather("position_embeddings", inputs.positions),
  ]);
  return ctx.dropout(norm(ctx, `${e}.LayerNorm`, sum, config.layerNormEps), config.hiddenDropoutProb);
}

export interface BertLayerArgs {
  batch: number;
  length: number;
  /** Additive self-attention mask (padding, and causal for decoders). */
  selfMask?: tf.Tensor;
  past?: LayerKeyValues;
  cross?: CrossAttentionInput;
  /** Return this layer's keys/values (past + new) for the next step. */
  useCache?: boolean;
}

/** Attention block: heads from `query source` and `keys/values`, then output dense, dropout, residual, LayerNorm. */
function attentionBlock(
  ctx: LayerContext,
  config: BertConfig,
  name: string,
  hidden: tf.Tensor2D,
  batch: number,
  length: number,
  keyValues: { key: tf.Tensor4D; value: tf.Tensor4D },
  mask: tf.Tensor | undefined,
  rowsPerKeyRow = 1,
): tf.Tensor2D {
  const heads = config.numAttentionHeads;
  const q = splitHeads(dense(ctx, `${name}.self.query`, hidden), batch, length, heads);
  const scale = 1 / Math.sqrt(config.hiddenSize / heads);
  const context = sharedKeyAttention(q, keyValues.key, keyValues.value, mask, scale, rowsPerKeyRow, (p) =>
    ctx.dropout(p, config.attentionProbsDropoutProb),
  );
  const out = ctx.dropout(dense(ctx, `${name}.output.dense`, mergeHeads(context)), config.hiddenDropoutProb);
  return norm(ctx, `${name}.output.LayerNorm`, tf.add(out, hidden), config.layerNormEps);
}

function keyValuesOf(
  ctx: LayerContext,
  config: BertConfig,
  name: string,
  states: tf.Tensor2D,
  batch: number,
  length: number,
) {
  const heads = config.numAttentionHeads;
  return {
    key: splitHeads(dense(ctx, `${name}.self.key`, states), batch, length, heads),
    value: splitHeads(dense(ctx, `${name}.self.value`, states), batch, length, heads),
  };
}

/** One transformer layer on `[B*T, hidden]`: self-attention, optional cross-attention, feed-forward. */
export function bertLayer(
  ctx: LayerContext,
  config: BertConfig,
  name: string,
  hidden: tf.Tensor2D,
  args: BertLayerArgs,
): { hidden: tf.Tensor2D; keyValues?: LayerKeyValues } {
  const { batch, length, past } = args;
  let self = keyValuesOf(ctx, config, `${name}.attention`, hidden, batch, length);
  if (past !== undefined) {
    self = { key: tf.concat([past.selfKey, self.key], 2), value: tf.concat([past.selfValue, self.value], 2) };
  }
  let x = attentionBlock(ctx, config, `${name}.attention`, hidden, batch, length, self, args.selfMask);
  let cross: { key: tf.Tensor4D; value: tf.Tensor4D } | undefined;
  if (args.cross !== undefined) {
    if (past?.crossKey !== undefined && past.crossValue !== undefined) {
      // A fresh handle on the same data, so the old and new caches can be disposed independently.
      cross = { key: tf.clone(past.crossKey), value: tf.clone(past.crossValue) };
    } else {
      if (args.cross.states === undefined) {
        throw new ModelInputError(
          "INVALID_INPUT",
          "encoderHiddenStates are required when the cache holds no cross-attention keys",
        );
      }
      const encoderRows = batch / args.cross.rowsPerState;
      cross = keyValuesOf(ctx, config, `${name}.crossattention`, args.cross.states, encoderRows, args.cross.length);
    }
    x = attentionBlock(
      ctx,
      config,
      `${name}.crossattention`,
      x,
      batch,
      length,
      cross,
      args.cross.mask,
      args.cross.rowsPerState,
    );
  }
  const act = activation(config.hiddenAct, "hidden_act");
  const inner = act(dense(ctx, `${name}.intermediate.dense`, x));
  const out = ctx.dropout(dense(ctx, `${name}.output.dense`, inner), config.hiddenDropoutProb);
  const result = norm(ctx, `${name}.output.LayerNorm`, tf.add(out, x), config.layerNormEps);
  if (args.useCache !== true) return { hidden: result };
  const keyValues: LayerKeyValues = { selfKey: self.key, selfValue: self.value };
  if (cross !== undefined) {
    keyValues.crossKey = cross.key;
    keyValues.crossValue = cross.value;
  }
  return { hidden: result, keyValues };
}

/** Every layer of `{prefix}encoder`, collecting each layer's keys/values when `useCache`. */
export function bertEncoder(
  ctx: LayerContext,
  config: BertConfig,
  prefix: string,
  hidden: tf.Tensor2D,
  args: Omit<BertLayerArgs, "past"> & { past?: LayerKeyValues[] },
): { hidden: tf.Tensor2D; keyValues: LayerKeyValues[] } {
  const keyValues: LayerKeyValues[] = [];
  let x = hidden;
  for (let n = 0; n < config.numHiddenLayers; n++) {
    // A tidy per layer frees its intermediates (attention scores are [B, H, T, T]) before the next layer runs;
    // whatever a gradient needs is kept by the tape regardless.
    const out = tf.tidy(() =>
      bertLayer(ctx, config, `${prefix}encoder.layer.${n}`, x, { ...args, past: args.past?.[n] }),
    );
    x = out.hidden;
    if (out.keyValues !== undefined) keyValues.push(out.keyValues);
  }
  return { hidden: x, keyValues };
}

// ---- the encoder ----

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

  static fromConfig(json: HFConfigJSON, options: EncoderOptions = {}): BertModel {
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
