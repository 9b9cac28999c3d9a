// GPT-2 (Hugging Face `GPT2LMHeadModel`): pre-LayerNorm blocks with Conv1D weights stored [in, out],
// optional cross-attention (`crossattention` + `ln_cross_attn`), `ln_f`, and logits = h · wteᵀ (the LM head is
// the token embedding table, so there is no lm_head.weight parameter, unless tie_word_embeddings is false).
import { layerNorm, linear, scaledDotProductAttention, tf } from "@warmstart/tensors";
import {
  activation,
  causalMask,
  checkIdRange,
  type CrossAttentionInput,
  type FromPretrainedOptions,
  type HFConfigJSON,
  type LayerKeyValues,
  layerNormSpecs,
  loadCheckpointInto,
  mergeHeads,
  ModelInputError,
  type ModelOptions,
  type ParameterSpec,
  type ParameterSpecs,
  PretrainedModule,
  readIdBatch,
  readPretrainedConfig,
  sharedKeyAttention,
  specsToShapes,
  splitHeads,
} from "@warmstart/modeling";
import { prepareDecoderStep, type DecoderInput, type DecoderOutput } from "../decoder-inputs.js";
import { decoderOverrides, type DecoderPretrainedOptions } from "../decoder-config.js";
import { tiedOutput } from "../tied-output.js";
import { gpt2ConfigFromHF, type GPT2Config } from "./config.js";

function conv1dSpecs(name: string, inp: number, out: number, std: number): Array<[string, ParameterSpec]> {
  return [
    [`${name}.weight`, { shape: [inp, out], init: { kind: "normal", std } }],
    [`${name}.bias`, { shape: [out], init: { kind: "zeros" } }],
  ];
}

export class GPT2LMHeadModel extends PretrainedModule<GPT2Config> {
  constructor(config: GPT2Config, options: ModelOptions = {}) {
    const tiedAliases: Record<string, string> = config.tieWordEmbeddings
      ? { "lm_head.weight": "transformer.wte.weight" }
      : {};
    super(config, GPT2LMHeadModel.parameterSpecs(config), { basePrefix: "transformer.", tiedAliases }, options);
  }

  /** Checkpoint names to write as copies of a parameter: none (an untied lm_head has no bias). */
  savedCopies(): Record<string, string> {
    return {};
  }

  static parameterSpecs(config: GPT2Config): ParameterSpecs {
    const d = config.nEmbd;
    const inner = config.nInner ?? 4 * d;
    const std = config.initializerRange;
    // Hugging Face scales every `c_proj.weight` by 1/sqrt(2·n_layer) (residual projections, GPT-2 paper).
    const projStd = std / Math.sqrt(2 * config.nLayer);
    const specs: Array<[string, ParameterSpec]> = [
      ["transformer.wte.weight", { shape: [config.vocabSize, d], init: { kind: "normal", std } }],
      ["transformer.wpe.weight", { shape: [config.nPositions, d], init: { kind: "normal", std } }],
    ];
    for (let n = 0; n < config.nLayer; n++) {
      const h = `transformer.h.${n}`;
      specs.push(
        ...layerNormSpecs(`${h}.ln_1`, d),
        ...conv1dSpecs(`${h}.attn.c_attn`, d, 3 * d, std),
        ...conv1dSpecs(`${h}.attn.c_proj`, d, d, projStd),
      );
      if (config.addCrossAttention) {
        specs.push(
          ...conv1dSpecs(`${h}.crossattention.c_attn`, d, 2 * d, std),
          ...conv1dSpecs(`${h}.crossattention.q_attn`, d, d, std),
          ...conv1dSpecs(`${h}.crossattention.c_proj`, d, d, projStd),
          ...layerNormSpecs(`${h}.ln_cross_attn`, d),
        );
      }
      specs.push(
        ...layerNormSpecs(`${h}.ln_2`, d),
        ...conv1dSpecs(`${h}.mlp.c_fc`, d, inner, std),
        ...conv1dSpecs(`${h}.mlp.c_proj`, inner, d, projStd),
      );
    }
    specs.push(...layerNormSpecs("transformer.ln_f", d));
    // tie_word_embeddings: false keeps lm_head (an nn.Linear without bias) as a matrix of its own.
    if (!config.tieWordEmbeddings) {
      specs.push(["lm_head.weight", { shape: [config.vocabSize, d], init: { kind: "normal", std } }]);
    }
    return new Map(specs);
  }

  /** Names → shapes without allocating; `addCrossAttention` overrides the config's. */
  static parameterShapes(config: GPT2Config, options: { addCrossAttention?: boolean } = {}): Map<string, number[]> {
    return specsToShapes(
      GPT2LMHeadModel.parameterSpecs({
        ...config,
        addCrossAttention: options.addCrossAttention ?? config.addCrossAttention,
      }),
    );
  }

  static fromConfig(json: HFConfigJSON, options: ModelOptions & { addCrossAttention?: boolean } = {}): GPT2LMHeadModel {
    const overridden = options.addCrossAttention === undefined ? json : decoderOverrides(json, options);
    return new GPT2LMHeadModel(gpt2ConfigFromHF(overridden), options);
  }

  static async fromPretrained(
    idOrPath: string,
    options: DecoderPretrainedOptions & FromPretrainedOptions = {},
  ): Promise<GPT2LMHeadModel> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(GPT2LMHeadModel.fromConfig(json, options), dir, options);
  }

  #conv1d(name: string, x: tf.Tensor): tf.Tensor2D {
    return linear(
      x,
      this.parameters.get(`${name}.weight`),
      this.parameters.get(`${name}.bias`),
      "in_out",
    ) as tf.Tensor2D;
  }

  #norm(name: string, x: tf.Tensor): tf.Tensor2D {
    return layerNorm(
      x,
      this.parameters.get(`${name}.weight`),
      this.parameters.get(`${name}.bias`),
      this.config.layerNormEpsilon,
    ) as tf.Tensor2D;
  }

  /** Block n: x += attn(ln_1 x); x += crossattention(ln_cross_attn x) with encoder states; x += mlp(ln_2 x). */
  #block(
    n: number,
    input: tf.Tensor2D,
    args: { batch: number; length: number; selfMask: tf.Tensor; cross?: CrossAttentionInput; past?: LayerKeyValues },
  ): { hidden: tf.Tensor2D; keyValues: LayerKeyValues } {
    const c = this.config;
    const { batch, length, past, cross: encoder } = args;
    const h = `transformer.h.${n}`;
    const headSize = c.nEmbd / c.nHead;
    const scale = (c.scaleAttnWeights ? 1 / Math.sqrt(headSize) : 1) / (c.scaleAttnByInverseLayerIdx ? n + 1 : 1);
    const dropProbs = (p: tf.Tensor4D) => this.dropout(p, c.attnPdrop);
    // Self-attention: c_attn gives query | key | value along the feature axis.
    const [q, k, v] = tf
      .split(this.#conv1d(`${h}.attn.c_attn`, this.#norm(`${h}.ln_1`, input)), 3, 1)
      .map((t) => splitHeads(t, batch, length, c.nHead)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const key = past === undefined ? k : (tf.concat([past.selfKey, k], 2) as tf.Tensor4D);
    const value = past === undefined ? v : (tf.concat([past.selfValue, v], 2) as tf.Tensor4D);
    const attn = this.#conv1d(
      `${h}.attn.c_proj`,
      mergeHeads(scaledDotProductAttention(q, key, value, args.selfMask, scale, dropProbs)),
    );
    let x: tf.Tensor2D = tf.add(input, this.dropout(attn, c.residPdrop));
    const keyValues: LayerKeyValues = { selfKey: key, selfValue: value };
    if (encoder !== undefined) {
      // Cross-attention: query from q_attn; key | value from c_attn of the encoder states (or the cache).
      const cq = splitHeads(
        this.#conv1d(`${h}.crossattention.q_attn`, this.#norm(`${h}.ln_cross_attn`, x)),
        batch,
        length,
        c.nHead,
      );
      let ck: tf.Tensor4D;
      let cv: tf.Tensor4D;
      if (past?.crossKey !== undefined && past.crossValue !== undefined) {
        // Fresh handles on the same data, so the old and new caches can be disposed independently.
        ck = tf.clone(past.crossKey);
        cv = tf.clone(past.crossValue);
      } else {
        const states = encoder.states as tf.Tensor2D;
        const encoderRows = batch / encoder.rowsPerState;
        [ck, cv] = tf
          .split(this.#conv1d(`${h}.crossattention.c_attn`, states), 2, 1)
          .map((t) => splitHeads(t, encoderRows, encoder.length, c.nHead)) as [tf.Tensor4D, tf.Tensor4D];
      }
      const cross = this.#conv1d(
        `${h}.crossattention.c_proj`,
        mergeHeads(sharedKeyAttention(cq, ck, cv, encoder.mask, scale, encoder.rowsPerState, dropProbs)),
      );
      x = tf.add(x, this.dropout(cross, c.residPdrop));
      keyValues.crossKey = ck;
      keyValues.crossValue = cv;
    }
    const act = activation(c.activationFunction, "activation_function");
    const mlp = this.#conv1d(`${h}.mlp.c_proj`, act(this.#conv1d(`${h}.mlp.c_fc`, this.#norm(`${h}.ln_2`, x))));
    return { hidden: tf.add(x, this.dropout(mlp, c.residPdrop)), keyValues };
  }

  forward(input: DecoderInput): DecoderOutput {
    return tf.tidy(() => {
      const c = this.config;
      const ids = readIdBatch(input.inputIds, "inputIds");
      checkIdRange(ids, c.vocabSize, "inputIds", "vocab_size");
      const { batch, length } = ids;
      const step = prepareDecoderStep(input, batch, length, c.nLayer, c.nEmbd, c.addCrossAttention);
      if (step.offset + length > c.nPositions) {
        throw new ModelInputError(
          "SEQUENCE_TOO_LONG",
          `positions ${step.offset}..${step.offset + length - 1} exceed n_positions ${c.nPositions} (sequence length ${length}, offset ${step.offset})`,
        );
      }
      const positions = tf.add(tf.range(step.offset, step.offset + length, 1, "int32"), tf.zeros([batch, 1], "int32"));
      const flat = (t: tf.Tensor) => tf.reshape(t, [-1]);
      let x: tf.Tensor2D = tf.add(
        tf.gather(this.parameters.get("transformer.wte.weight"), flat(ids.tensor)),
        tf.gather(this.parameters.get("transformer.wpe.weight"), flat(positions)),
      );
      x = this.dropout(x, c.embdPdrop);
      const selfMask = causalMask(batch, length, step.past + length, step.mask);
      const keyValues: LayerKeyValues[] = [];
      for (let n = 0; n < c.nLayer; n++) {
        // A tidy per layer frees its intermediates before the next layer; the tape keeps what gradients need.
        const out = tf.tidy(() =>
          this.#block(n, x, { batch, length, selfMask, cross: step.cross, past: input.pastKeyValues?.[n] }),
        );
        x = out.hidden;
        keyValues.push(out.keyValues);
      }
      const final = this.#norm("transformer.ln_f", x);
      const table = this.parameters.get(c.tieWordEmbeddings ? "transformer.wte.weight" : "lm_head.weight");
      const logits = tf.reshape(tiedOutput(final, table, null), [batch, length, c.vocabSize]) as tf.Tensor3D;
      return input.useCache === true ? { logits, pastKeyValues: keyValues } : { logits };
    });
  }
}
