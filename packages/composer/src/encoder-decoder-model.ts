import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { disposeCache, reorderCache, type KeyValueCache } from "@warmstart/modeling";
import { findCompleteFolder } from "@warmstart/core/fs";
import { shiftTokensRight } from "@warmstart/core";
import { resolveModel, type ResolveModelOptions } from "@warmstart/hub";
import {
  createRandom,
  ensureBackend,
  linear,
  openCheckpoint,
  Parameters,
  requireBackend,
  tf,
  writeSafetensors,
  type Checkpoint,
} from "@warmstart/tensors";
import { saveFolderAtomically } from "./atomic-folder.js";
import {
  planComposition,
  PROJECTION_PREFIX,
  roleOf,
  type CompositionPlan,
  type ProjectionPlan,
} from "./composition-plan.js";
import type { TiePair } from "./tying.js";
import { summarise, type CompositionReport, type WeightEntry } from "./composition-report.js";
import { EncoderDecoderConfig, type HFConfigJSON, type SpecialTokens } from "./encoder-decoder-config.js";
import { ComposerError } from "./errors.js";
import { modelFamily } from "./families/registry.js";
import {
  computeTransitionScores,
  generate as runGeneration,
  generationConfigFromHF,
  GenerationError,
  generationJSONFromModelConfig,
  unsupportedHFSettings,
  type DecodeStepArgs,
  type DecodeStepResult,
  type GenerateOptions,
  type GenerateOutput,
  type GenerationConfig,
  type GenerationInputs,
  type Seq2SeqStepModel,
} from "./generation/index.js";
import {
  blameStoredSetting,
  checkStoredGenerationConfig,
  readGenerationConfigFile,
} from "./generation/configuration.js";
import { batchShape, derivedDecoderAttentionMask, validateLabels } from "./labels.js";
import { maskedCrossEntropy } from "./loss.js";
import type { DecoderModule, DropoutState, EncoderModule, IdInput, LoadReport, WeightSource } from "./parts.js";
import { readConfigFile, resolvePart, type PartSpec } from "./part-source.js";
import { disposeUnshared, keepAll } from "./tensor-ownership.js";

/** Options of `fromEncoderDecoderPretrained`. */
export interface WarmStartOptions extends Partial<Record<keyof SpecialTokens, number | null>> {
  /** Make every decoder weight that also exists in the encoder the encoder's tensor (BERTShare, RoBERTaShare). */
  tieEncoderDecoder?: boolean;
  /** config.json fields laid over the encoder checkpoint's config, or the whole config of a `null` encoder. */
  encoderConfig?: HFConfigJSON;
  /** The same for the decoder. */
  decoderConfig?: HFConfigJSON;
  /** Seed of every random initialisation (encoder seed, decoder seed + 1, projection seed + 2). Default 0. */
  seed?: number;
  /** Options for Hub downloads of string parts that are not local folders. */
  hub?: ResolveModelOptions;
}

/** The random state of an encoder-decoder: its two dropout streams (see `getRandomState`). */
export interface ModelRandomState {
  encoder: DropoutState;
  decoder: DropoutState;
}

export interface FromPretrainedOptions {
  /** Seed of the initialisation the loaded weights overwrite (only visible in weights a checkpoint lacks). */
  seed?: number;
  hub?: ResolveModelOptions;
  /**
   * Receives what loading wants a user to know (default `console.warn`): a tie_encoder_decoder checkpoint whose
   * encoder and decoder halves differ (saved by transformers 5, which does not tie) is loaded untied; a folder
   * whose last save was interrupted is read from where its previous save lies aside.
   */
  warn?: (message: string) => void;
}

/** Inputs of `forward`. Ids and masks are `[batch][position]` arrays or 2-D tensors. */
export interface Seq2SeqInputs {
  inputIds: IdInput;
  /**
   * 1 = token, 0 = padding. Default: all tokens, for the encoder and the cross-attention alike; as in
   * transformers, nothing is inferred from pad ids.
   */
  attentionMask?: IdInput;
  /** Segment ids for the encoder (BERT token_type_ids; default all zeros), as transformers passes them on. */
  tokenTypeIds?: IdInput;
  /** Teacher-forced decoder inputs; derived from `labels` when absent. */
  decoderInputIds?: IdInput;
  decoderAttentionMask?: IdInput;
  /** Target ids, -100 where the loss should skip a position. */
  labels?: number[][];
}

export interface Seq2SeqOutput {
  /** `[batch, decoderLength, decoderVocab]`. */
  logits: tf.Tensor3D;
  /** Mean cross-entropy over labels != -100, when labels were given. */
  loss?: tf.Scalar;
}

/** The encoder output generation carries between steps: hidden states (projected if needed) and the padding mask. */
export interface EncoderState {
  /** `[inputs, sourceLength, hidden]`: one row per input, however many decoder rows (beams, samples) share it. */
  hidden: tf.Tensor3D;
  /** `[inputs][sourceLength]`. */
  mask: number[][];
  /**
   * Decoder rows per input (1, or the beams / samples `expandEncoderState` asked for), consecutive. `decodeStep`
   * checks its rows against it: the decoder itself only sees that the encoder rows divide its batch.
   */
  rowsPerInput: number;
}

/** Where a model's weights came from, kept for `warmStartReport()`. */
type Origins = { encoder: ReadonlySet<string>; decoder: ReadonlySet<string>; projection: ReadonlySet<string> };

const GENERATION_CONFIG_FILE = "generation_config.json";

/**
 * Hugging Face's `EncoderDecoderModel`: a BERT or RoBERTa encoder and a BERT, RoBERTa or GPT-2 decoder with
 * cross-attention, warm-started from stand-alone checkpoints (Rothe et al., 2020) or loaded from a composed
 * checkpoint, with transformers' weight names, tying and file layout.
 */
export class EncoderDecoderModel implements Seq2SeqStepModel<EncoderState, KeyValueCache> {
  readonly config: EncoderDecoderConfig;
  readonly encoder: EncoderModule;
  readonly decoder: DecoderModule;
  /** `enc_to_dec_proj.{weight,bias}` (as `weight`, `bias`) when encoder and decoder hidden sizes differ. */
  readonly projection: Parameters | null;
  readonly #plan: CompositionPlan;
  /**
   * The encoder/decoder ties in effect: the plan's under tie_encoder_decoder, none when a checkpoint stored two
   * different halves (a Share model fine-tuned by transformers 5, where nothing is tied).
   */
  #ties: readonly TiePair[];
  #origins: Origins;
  /**
   * A loaded checkpoint's generation_config.json, verbatim (keys this project does not implement included, so that
   * a save writes them back); `null` when there was none: the defaults then come from `config`, as transformers
   * derives them from the model config.
   */
  #generationFile: { json: HFConfigJSON; path: string } | null;
  #disposed = false;

  private constructor(config: EncoderDecoderConfig, plan: CompositionPlan, seed: number) {
    this.config = config;
    this.#plan = plan;
    this.#ties = plan.ties;
    // The encoder is built as AutoModel builds it: with the pooler, which encoder-decoder checkpoints store.
    this.encoder = roleOf(plan.encoderFamily, "encoder").create(plan.encoderConfig, { seed, addPoolingLayer: true });
    try {
      this.decoder = roleOf(plan.decoderFamily, "decoder").create(plan.decoderConfig, { seed: seed + 1 });
    } catch (error) {
      this.encoder.dispose();
      throw error;
    }
    this.projection = plan.projection === null ? null : projectionParameters(plan.projection, seed + 2);
    this.#origins = { encoder: new Set(), decoder: new Set(), projection: new Set() };
    this.#generationFile = null;
  }

  /** A randomly initialised model of `config` (every weight random; tied as the config says). */
  static fromConfig(config: EncoderDecoderConfig, options: { seed?: number } = {}): EncoderDecoderModel {
    requireBackend("EncoderDecoderModel.fromConfig");
    const plan = planComposition(config.encoder, config.decoder, config.tieEncoderDecoder);
    const model = new EncoderDecoderModel(config, plan, options.seed ?? 0);
    model.#tie();
    return model;
  }

  /**
   * Warm-starts a composition: each side is a Hub id or local folder (pretrained weights), a config.json
   * object (random), or `null` with `encoderConfig` / `decoderConfig` (random). The decoder gets
   * `is_decoder` and `add_cross_attention`; its cross-attention (and anything else its checkpoint lacks) is
   * random. With `tieEncoderDecoder`, the encoder's weights that the decoder's base model also has become one
   * tensor with them, holding the decoder's values (as transformers 4 ties: when the two sides come from
   * different checkpoints, the decoder's checkpoint wins). transformers 5 ignores tie_encoder_decoder; this
   * project keeps the paper's Share compositions (a deliberate deviation).
   */
  static async fromEncoderDecoderPretrained(
    encoder: PartSpec,
    decoder: PartSpec,
    options: WarmStartOptions = {},
  ): Promise<EncoderDecoderModel> {
    // As in transformers.js, loading needs no prior backend call: the best one is picked on first use.
    await ensureBackend();
    const locate = async (id: string): Promise<{ dir: string; config: HFConfigJSON }> => {
      const dir = await resolveModel(id, options.hub);
      return { dir, config: readConfigFile(dir) };
    };
    const encoderPart = await resolvePart(encoder, options.encoderConfig, "encoder", locate);
    const decoderPart = await resolvePart(decoder, options.decoderConfig, "decoder", locate);
    const decoderFamily = modelFamily(decoderPart.config.model_type as string);
    const recipe = decoderPart.dir === null ? {} : (decoderFamily?.recipeTokens?.(decoderPart.dir) ?? {});
    const config = EncoderDecoderConfig.fromSubConfigs(encoderPart.config, decoderPart.config, {
      ...recipe,
      ...definedOnly(options),
    });
    const plan = planComposition(config.encoder, config.decoder, config.tieEncoderDecoder);
    const model = new EncoderDecoderModel(config, plan, options.seed ?? 0);
    try {
      const encoderReport =
        encoderPart.dir === null ? null : await loadFrom(encoderPart.dir, (s) => model.encoder.loadWeights(s));
      const decoderReport =
        decoderPart.dir === null ? null : await loadFrom(decoderPart.dir, (s) => model.decoder.loadWeights(s));
      const encoderOrigins = new Set(encoderReport?.loaded ?? []);
      const decoderOrigins = new Set(decoderReport?.loaded ?? []);
      // A shared tensor takes the decoder's values, so it comes from wherever the decoder's weight came from.
      for (const { encoder: e, decoder: d } of model.#ties) {
        if (decoderOrigins.has(d)) encoderOrigins.add(e);
        else encoderOrigins.delete(e);
      }
      model.#origins = { encoder: encoderOrigins, decoder: decoderOrigins, projection: new Set() };
      model.#tie();
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  /**
   * Loads a composed checkpoint (`model_type` "encoder-decoder" or "encoder_decoder"; weights `encoder.*`,
   * `decoder.*`, `enc_to_dec_proj.*`), from a folder or the Hub, single-file or sharded, F32, F16 or BF16. A
   * tie_encoder_decoder checkpoint may store each shared tensor under its decoder name (transformers 4.x),
   * its encoder name (older 4.x) or both (transformers 5, this project): they are tied again, unless both
   * names are stored with different values (fine-tuned by transformers 5, which does not tie): then the two
   * halves are loaded untied, as transformers 5 computes with them, and `options.warn` is told. A missing
   * weight is an error, except the encoder's pooler, which no seq2seq output uses.
   */
  static async fromPretrained(idOrPath: string, options: FromPretrainedOptions = {}): Promise<EncoderDecoderModel> {
    // As in transformers.js, loading needs no prior backend call: the best one is picked on first use.
    await ensureBackend();
    const warn = options.warn ?? ((message: string) => console.warn(message));
    // Loading never modifies what it loads (as in transformers). A save killed between its two renames left no
    // folder and the previous one, complete, aside: it is read where it lies, and the next save puts it back.
    const interrupted = findCompleteFolder(idOrPath);
    if (interrupted?.interrupted === true) {
      warn(
        `${idOrPath} is missing because a save into it was interrupted; loading the previous save from ` +
          `${interrupted.path} (left as it is: the next savePretrained into ${idOrPath} restores it)`,
      );
    }
    const dir = interrupted?.interrupted === true ? interrupted.path : await resolveModel(idOrPath, options.hub);
    const configPath = join(dir, "config.json");
    const json = readConfigFile(dir);
    const config = EncoderDecoderConfig.fromJSON(json, configPath);
    let model: EncoderDecoderModel;
    try {
      const plan = planComposition(config.encoder, config.decoder, config.tieEncoderDecoder);
      model = new EncoderDecoderModel(config, plan, options.seed ?? 0);
    } catch (error) {
      // The encoder and decoder packages check sizes and types before allocating, but know no file name.
      throw error instanceof ComposerError
        ? error
        : new ComposerError("INVALID_CONFIG", `${configPath}: ${(error as Error).message}`);
    }
    try {
      const checkpoint = await openCheckpoint(dir);
      try {
        model.#loadComposed(checkpoint, dir, warn);
      } finally {
        checkpoint.close();
      }
      const generationPath = join(dir, GENERATION_CONFIG_FILE);
      // As in transformers, generation_config.json replaces config.json for generation; read now so that a bad
      // file fails the load rather than the first generate().
      if (existsSync(generationPath)) {
        const generationJSON = readGenerationConfigFile(generationPath);
        model.#generationFile = { json: generationJSON as HFConfigJSON, path: generationPath };
      } else {
        checkStoredGenerationConfig(generationJSONFromModelConfig(json), configPath);
      }
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  #loadComposed(source: Checkpoint, dir: string, warn: (message: string) => void): void {
    const names = source.names();
    const hasPrefix = (prefix: string): boolean => names.some((n) => n.startsWith(prefix));
    for (const prefix of ["encoder.", "decoder."]) {
      if (!hasPrefix(prefix)) {
        throw new ComposerError(
          "MISSING_WEIGHTS",
          `${dir}: the checkpoint has no "${prefix}*" weights; an EncoderDecoderModel checkpoint stores the ${prefix.slice(0, -1)} under "${prefix}"`,
        );
      }
    }
    // Both halves are loaded untied first; the ties are made (or not) from what the file holds.
    const encoderReport = this.encoder.loadWeights(source, { prefix: "encoder." });
    const decoderReport = this.decoder.loadWeights(source, { prefix: "decoder." });
    const encoderLoaded = new Set(encoderReport.loaded);
    const decoderLoaded = new Set(decoderReport.loaded);
    const sharedMissing: string[] = [];
    const differing: TiePair[] = [];
    const filledFromOther = { encoder: new Set<string>(), decoder: new Set<string>() };
    for (const pair of this.#plan.ties) {
      const encoderVariable = this.encoder.parameters.get(pair.encoder);
      const decoderVariable = this.decoder.parameters.get(pair.decoder);
      const [hasEncoder, hasDecoder] = [encoderLoaded.has(pair.encoder), decoderLoaded.has(pair.decoder)];
      if (hasEncoder && hasDecoder) {
        const equal = tf.tidy(() => tf.all(tf.equal(encoderVariable, decoderVariable)).dataSync()[0] === 1);
        if (!equal) differing.push(pair);
      } else if (hasDecoder) {
        encoderVariable.assign(decoderVariable);
        filledFromOther.encoder.add(pair.encoder);
      } else if (hasEncoder) {
        decoderVariable.assign(encoderVariable);
        filledFromOther.decoder.add(pair.decoder);
      } else {
        sharedMissing.push(`encoder.${pair.encoder} (or decoder.${pair.decoder})`);
      }
    }
    const missing = [
      ...encoderReport.missing
        .filter(
          (n) =>
            !n.startsWith("pooler.") &&
            !filledFromOther.encoder.has(n) &&
            !this.#plan.ties.some((t) => t.encoder === n),
        )
        .map((n) => `encoder.${n}`),
      ...decoderReport.missing
        .filter((n) => !filledFromOther.decoder.has(n) && !this.#plan.ties.some((t) => t.decoder === n))
        .map((n) => `decoder.${n}`),
      ...sharedMissing,
    ];
    const projection = this.projection;
    const projectionLoaded = new Set<string>();
    if (projection !== null) {
      for (const local of ["weight", "bias"]) {
        const name = PROJECTION_PREFIX + local;
        if (!names.includes(name)) {
          missing.push(name);
          continue;
        }
        const variable = projection.get(local);
        tf.tidy(() => {
          const value = source.tensor(name);
          if (!tf.util.arraysEqual(value.shape, variable.shape)) {
            throw new ComposerError(
              "WEIGHT_SHAPE_MISMATCH",
              `${dir}: "${name}" has shape [${value.shape}], the config implies [${variable.shape}]`,
            );
          }
          variable.assign(tf.cast(value, "float32"));
        });
        projectionLoaded.add(local);
      }
    }
    if (missing.length > 0) {
      const shown = missing.slice(0, 10).join(", ");
      throw new ComposerError(
        "MISSING_WEIGHTS",
        `${dir}: ${missing.length} weight(s) the config implies are not in the checkpoint: ${shown}${missing.length > 10 ? ", …" : ""}`,
      );
    }
    if (differing.length > 0) {
      this.#ties = [];
      warn(
        `${dir}: config.json sets tie_encoder_decoder, but ${differing.length} of the ${this.#plan.ties.length} weights shared by encoder and decoder ` +
          `are stored with different values under their encoder and decoder names (e.g. encoder.${differing[0]?.encoder} and decoder.${differing[0]?.decoder}): ` +
          "a checkpoint trained by transformers 5, which does not tie them. The two halves are loaded untied, as transformers 5 computes, and savePretrained writes both.",
      );
    } else {
      this.#tie();
    }
    this.#origins = {
      encoder: new Set([...encoderLoaded, ...filledFromOther.encoder]),
      decoder: new Set([...decoderLoaded, ...filledFromOther.decoder]),
      projection: projectionLoaded,
    };
  }

  /**
   * Makes each tied pair one variable (the encoder's, under both names) holding the DECODER's values, the
   * direction of transformers 4's `_tie_encoder_decoder_weights`; the decoder's own copies are disposed.
   */
  #tie(): void {
    for (const { decoder, encoder } of this.#ties) {
      const shared = this.encoder.parameters.get(encoder);
      const decoderVariable = this.decoder.parameters.get(decoder);
      if (decoderVariable !== shared) shared.assign(decoderVariable);
      this.decoder.parameters.tie(decoder, shared);
    }
  }

  /** Whether the decoder's base-model weights are the encoder's tensors now (false for an untied load, see fromPretrained). */
  get encoderDecoderTied(): boolean {
    return this.#ties.length > 0;
  }

  #live(): void {
    if (this.#disposed) throw new ComposerError("DISPOSED", "this EncoderDecoderModel has been disposed");
  }

  /** Every weight by its full state-dict name; a tied tensor appears under each of its names. */
  namedParameters(): Map<string, tf.Variable> {
    this.#live();
    const out = new Map<string, tf.Variable>();
    for (const [name, variable] of this.encoder.parameters.entries()) out.set(`encoder.${name}`, variable);
    for (const [name, variable] of this.decoder.parameters.entries()) out.set(`decoder.${name}`, variable);
    if (this.projection !== null) {
      for (const [name, variable] of this.projection.entries()) out.set(PROJECTION_PREFIX + name, variable);
    }
    return out;
  }

  /** Distinct trainable variables (a tied tensor once), for optimisers. */
  trainableVariables(): tf.Variable[] {
    return [...new Set(this.namedParameters().values())];
  }

  /** Number of distinct parameters (tied tensors counted once), as transformers' `num_parameters()`. */
  numParameters(): number {
    return this.trainableVariables().reduce((sum, v) => sum + v.size, 0);
  }

  /**
   * Total / leveraged / random / tied parameter counts, per part, and the names of the randomly
   * initialised weights: what was taken from checkpoints when this model was built.
   */
  warmStartReport(): CompositionReport {
    this.#live();
    const tiedTo = new Map(this.#ties.map((t) => [t.decoder, t.encoder]));
    const entries: WeightEntry[] = [];
    const add = (part: WeightEntry["part"], prefix: string, params: Parameters, origins: ReadonlySet<string>): void => {
      for (const [name, variable] of params.entries()) {
        const encoderName = part === "decoder" ? tiedTo.get(name) : undefined;
        entries.push({
          name: prefix + name,
          part,
          size: variable.size,
          origin: origins.has(name) ? "checkpoint" : "random",
          ...(encoderName === undefined ? {} : { sameAs: `encoder.${encoderName}` }),
        });
      }
    };
    add("encoder", "encoder.", this.encoder.parameters, this.#origins.encoder);
    add("decoder", "decoder.", this.decoder.parameters, this.#origins.decoder);
    if (this.projection !== null) add("projection", PROJECTION_PREFIX, this.projection, this.#origins.projection);
    return summarise(entries);
  }

  train(): this {
    this.encoder.train();
    this.decoder.train();
    return this;
  }

  eval(): this {
    this.encoder.eval();
    this.decoder.eval();
    return this;
  }

  /**
   * Where the encoder's and the decoder's dropout streams stand; the trainer stores it in each checkpoint so
   * that a resumed run with dropout repeats the uninterrupted run's losses exactly.
   */
  getRandomState(): ModelRandomState {
    return { encoder: this.encoder.getDropoutState(), decoder: this.decoder.getDropoutState() };
  }

  /** Continues both dropout streams from {@link getRandomState}'s value (e.g. read back from a checkpoint). */
  setRandomState(state: unknown): void {
    const s = state as Partial<ModelRandomState> | null;
    if (typeof s !== "object" || s === null || typeof s.encoder !== "object" || typeof s.decoder !== "object") {
      throw new ComposerError(
        "INVALID_INPUT",
        `random state must be { encoder, decoder } dropout states, got ${JSON.stringify(state)}`,
      );
    }
    this.encoder.setDropoutState(s.encoder);
    this.decoder.setDropoutState(s.decoder);
  }

  #project(hidden: tf.Tensor): tf.Tensor3D {
    if (this.projection === null) return hidden as tf.Tensor3D;
    const [batch, length, width] = hidden.shape as [number, number, number];
    const weight = this.projection.get("weight");
    const flat = linear(tf.reshape(hidden, [batch * length, width]), weight, this.projection.get("bias"), "out_in");
    return tf.reshape(flat, [batch, length, weight.shape[0] as number]) as tf.Tensor3D;
  }

  /**
   * Encoder, then decoder with cross-attention over the encoder's states. With `labels` and no
   * `decoderInputIds`, the decoder inputs are the labels shifted right (decoder_start_token_id first, -100 →
   * pad_token_id) and, unless `decoderAttentionMask` is given, masked wherever they are pad_token_id (the
   * start token too when it is the pad id, as transformers does); `loss` is the mean cross-entropy over
   * labels != -100.
   */
  forward(inputs: Seq2SeqInputs): Seq2SeqOutput {
    this.#live();
    const labels = inputs.labels;
    let decoderInputIds = inputs.decoderInputIds;
    let decoderAttentionMask = inputs.decoderAttentionMask;
    if (labels !== undefined) {
      validateLabels(labels, this.config.vocabSize);
      if (decoderInputIds === undefined) {
        const start = this.config.requireToken(
          "decoderStartTokenId",
          "forward with labels (to shift them into decoder inputs)",
        );
        const pad = this.config.requireToken("padTokenId", "forward with labels (to replace -100 in decoder inputs)");
        const shifted = shiftTokensRight(labels, pad, start);
        decoderInputIds = shifted;
        decoderAttentionMask ??= derivedDecoderAttentionMask(shifted, pad);
      }
    }
    if (decoderInputIds === undefined) {
      throw new ComposerError(
        "INVALID_INPUT",
        "forward needs decoderInputIds or labels (from which the decoder inputs are derived)",
      );
    }
    if (labels !== undefined && !(decoderInputIds instanceof tf.Tensor)) {
      const [, labelLength] = batchShape(labels, "labels");
      const [, decoderLength] = batchShape(decoderInputIds, "decoderInputIds");
      if (labelLength !== decoderLength) {
        throw new ComposerError(
          "INVALID_INPUT",
          `labels have ${labelLength} positions but decoderInputIds ${decoderLength}; they must align`,
        );
      }
    }
    const decoderIds = decoderInputIds;
    return tf.tidy(() => {
      const encoded = this.encoder.forward({
        inputIds: inputs.inputIds,
        ...(inputs.attentionMask === undefined ? {} : { attentionMask: inputs.attentionMask }),
        ...(inputs.tokenTypeIds === undefined ? {} : { tokenTypeIds: inputs.tokenTypeIds }),
      });
      const hidden = this.#project(encoded.lastHiddenState);
      const { logits } = this.decoder.forward({
        inputIds: decoderIds,
        ...(decoderAttentionMask === undefined ? {} : { attentionMask: decoderAttentionMask }),
        encoderHiddenStates: hidden,
        ...(inputs.attentionMask === undefined ? {} : { encoderAttentionMask: inputs.attentionMask }),
      });
      const out: Seq2SeqOutput = { logits: logits as tf.Tensor3D };
      if (labels !== undefined) out.loss = maskedCrossEntropy(logits, labels);
      return out as unknown as tf.TensorContainer;
    }) as unknown as Seq2SeqOutput;
  }

  // ---- Seq2SeqStepModel: what generation drives ----

  encode(inputIds: number[][], attentionMask: number[][], options: { tokenTypeIds?: number[][] } = {}): EncoderState {
    this.#live();
    const hidden = tf.tidy(() =>
      this.#project(
        this.encoder.forward({
          inputIds,
          attentionMask,
          ...(options.tokenTypeIds === undefined ? {} : { tokenTypeIds: options.tokenTypeIds }),
        }).lastHiddenState,
      ),
    );
    return { hidden, mask: attentionMask.map((row) => [...row]), rowsPerInput: 1 };
  }

  /**
   * The generation state for encoder outputs computed beforehand (`generate({ encoderOutputs })`): the encoder's
   * `{ lastHiddenState }` or that tensor, `[batch, sourceLength, encoder hidden]`; projected to the decoder's width
   * when the model has `enc_to_dec_proj`, as transformers does. The caller keeps (and disposes) the outputs.
   */
  encoderStateFromOutputs(encoderOutputs: unknown, attentionMask: number[][]): EncoderState {
    this.#live();
    const last =
      encoderOutputs instanceof tf.Tensor
        ? encoderOutputs
        : (encoderOutputs as { lastHiddenState?: unknown } | null)?.lastHiddenState;
    if (!(last instanceof tf.Tensor) || last.rank !== 3 || last.shape[0] !== attentionMask.length) {
      throw new ComposerError(
        "INVALID_INPUT",
        "encoderOutputs must be the encoder's { lastHiddenState } (or that tensor), [batch, sourceLength, hidden], " +
          "with one row per attentionMask row",
      );
    }
    const hidden = tf.tidy(() => this.#project(tf.clone(last as tf.Tensor3D)));
    return { hidden, mask: attentionMask.map((row) => [...row]), rowsPerInput: 1 };
  }

  /**
   * transformers' `compute_transition_scores`: the score of every generated token from `generate()`'s `scores`
   * (and `beamIndices` for beam search); see `computeTransitionScores`.
   */
  computeTransitionScores(
    sequences: readonly (readonly number[])[],
    scores: readonly Float32Array[],
    beamIndices?: readonly (readonly number[])[] | null,
    normalizeLogits = false,
  ): number[][] {
    return computeTransitionScores(sequences, scores, beamIndices, normalizeLogits, this.config.vocabSize);
  }

  /**
   * Repeats every input `timesEach` times without copying its encoder states: the decoder attends one row of
   * states per input from all of that input's rows (`DecoderInput.encoderHiddenStates` with fewer rows), so the
   * cross-attention keys and values are computed, cached and read once per input instead of once per beam.
   */
  expandEncoderState(state: EncoderState, timesEach: number): EncoderState {
    if (!Number.isInteger(timesEach) || timesEach < 1) {
      throw new ComposerError(
        "INVALID_INPUT",
        `expandEncoderState: timesEach must be a positive integer, got ${timesEach}`,
      );
    }
    return {
      hidden: tf.clone(state.hidden),
      mask: state.mask.map((row) => [...row]),
      rowsPerInput: state.rowsPerInput * timesEach,
    };
  }

  async decodeStep(args: DecodeStepArgs<EncoderState, KeyValueCache>): Promise<DecodeStepResult<KeyValueCache>> {
    this.#live();
    const { decoderInputIds, encoderState, cache, useCache } = args;
    const expectedRows = encoderState.mask.length * encoderState.rowsPerInput;
    if (decoderInputIds.length !== expectedRows) {
      throw new ComposerError(
        "INVALID_INPUT",
        `decodeStep: ${decoderInputIds.length} decoder rows for ${encoderState.mask.length} inputs expanded ${encoderState.rowsPerInput} times (expected ${expectedRows})`,
      );
    }
    const incremental = useCache && cache !== null;
    const inputIds = incremental ? decoderInputIds.map((row) => [row[row.length - 1] as number]) : decoderInputIds;
    let next: KeyValueCache | null = null;
    const last = tf.tidy(() => {
      const out = this.decoder.forward({
        inputIds,
        encoderHiddenStates: encoderState.hidden,
        encoderAttentionMask: encoderState.mask,
        ...(incremental ? { pastKeyValues: cache } : {}),
        useCache,
      });
      if (useCache) {
        next = out.pastKeyValues ?? null;
        if (next !== null) keepAll(next);
      }
      const [rows, length, vocab] = out.logits.shape as [number, number, number];
      return tf.reshape(tf.slice(out.logits, [0, length - 1, 0], [rows, 1, vocab]), [rows, vocab]);
    });
    const vocabSize = last.shape[1] as number;
    // An asynchronous read: GPU backends (webgpu) cannot read tensors synchronously in Node.
    const logits = (await last.data()) as Float32Array;
    last.dispose();
    if (incremental) disposeUnshared(cache, next);
    return { logits: Float32Array.from(logits), vocabSize, cache: next };
  }

  reorderCache(cache: KeyValueCache, rowIndices: number[]): KeyValueCache {
    // The generation loop only reorders rows among one input's beams (Seq2SeqStepModel contract).
    const next = reorderCache(cache, rowIndices, { crossAttentionUnchanged: true });
    disposeUnshared(cache, next);
    return next;
  }

  disposeCache(cache: KeyValueCache | null): void {
    if (cache !== null) disposeCache(cache);
  }

  disposeEncoderState(state: EncoderState): void {
    state.hidden.dispose();
  }

  /**
   * The stored generation config, snake_case as in generation_config.json (transformers' `model.generation_config`):
   * a loaded checkpoint's generation_config.json as it was, or, without one, what transformers derives from the
   * model config (the top-level settings and special tokens of `config`, then the decoder sub-config's for those
   * unset).
   */
  generationConfigJSON(): HFConfigJSON {
    if (this.#generationFile !== null) return structuredClone(this.#generationFile.json);
    return generationJSONFromModelConfig({
      ...this.config.extra,
      decoder_start_token_id: this.config.decoderStartTokenId,
      eos_token_id: this.config.eosTokenId,
      pad_token_id: this.config.padTokenId,
      decoder: this.config.decoder,
    }) as HFConfigJSON;
  }

  /**
   * Generates decoder sequences (greedy, beam search or sampling, with Hugging Face's semantics). Defaults come
   * from `generationConfigJSON()`; `config` overrides them. A stored setting this project does not implement but
   * that would change transformers' output (e.g. `forced_eos_token_id`) is a `GenerationError`, never ignored.
   * `generateOptions.streamer` receives the tokens as they are generated (see `TextStreamer`).
   */
  async generate(
    inputs: GenerationInputs,
    config: Partial<GenerationConfig> = {},
    generateOptions: GenerateOptions = {},
  ): Promise<GenerateOutput> {
    this.#live();
    const stored = this.generationConfigJSON();
    const source = this.#generationFile?.path ?? "the model config (config.json)";
    const options = definedOnly(config);
    const merged = { ...generationConfigFromHF(stored, source), ...options };
    const unsupported = unsupportedHFSettings(stored, merged.doSample ?? false);
    if (unsupported.length > 0) {
      throw new GenerationError(
        "UNSUPPORTED_SETTING",
        `${source} sets ${unsupported.join(", ")}, which this project does not implement; transformers would apply ` +
          "them, so generating without them would give different sequences. Remove them (or set them to their neutral value) to generate here",
        unsupported[0]!.split("=")[0],
      );
    }
    try {
      return await runGeneration(this, inputs, merged, generateOptions);
    } catch (error) {
      throw blameStoredSetting(error, stored, options, source);
    }
  }

  /**
   * Writes config.json (with the encoder and decoder sub-configs and special tokens),
   * generation_config.json and model.safetensors (float32). A tensor tied between encoder and decoder is
   * written under both its names (the same values): transformers 5 loads each name, 4.x ties them again,
   * and neither reports a missing or unexpected weight. The tied LM-head copies transformers leaves out are
   * left out. Atomic: a reader never sees a half-written folder.
   */
  async savePretrained(dir: string): Promise<void> {
    this.#live();
    const tensors = new Map<string, tf.Tensor>(this.namedParameters());
    for (const [copy, name] of Object.entries(this.decoder.savedCopies?.() ?? {})) {
      tensors.set(`decoder.${copy}`, this.decoder.parameters.get(name));
    }
    const configJSON = this.config.toJSON();
    // A loaded generation_config.json is written back verbatim; one derived from the model config is marked so.
    const generationJSON =
      this.#generationFile !== null
        ? this.generationConfigJSON()
        : sortedKeys({ _from_model_config: true, ...this.generationConfigJSON() });
    await saveFolderAtomically(dir, async (tmp) => {
      await writeFile(join(tmp, "config.json"), `${JSON.stringify(configJSON, null, 2)}\n`);
      await writeFile(join(tmp, GENERATION_CONFIG_FILE), `${JSON.stringify(generationJSON, null, 2)}\n`);
      await writeSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" });
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // Tied variables live in both parts: the encoder disposes them, the decoder skips what is already gone.
    const encoderVariables = new Set(this.encoder.parameters.distinct());
    this.encoder.dispose();
    for (const variable of this.decoder.parameters.distinct()) if (!encoderVariables.has(variable)) variable.dispose();
    this.projection?.dispose();
  }
}

/**
 * `enc_to_dec_proj` as transformers 5 initialises it (measured with 5.24.0): _init_weights draws the weight
 * normal(0, the decoder's initializer_range) and zeroes the bias. transformers 4.57 leaves nn.Linear's own
 * kaiming-uniform init (weight and bias ~ U(-1/√in, 1/√in)); the current line is followed here.
 */
function projectionParameters(plan: ProjectionPlan, seed: number): Parameters {
  const parameters = new Parameters();
  tf.tidy(() => {
    parameters.add("weight", createRandom(seed).normal([plan.outFeatures, plan.inFeatures], plan.std));
    parameters.add("bias", tf.zeros([plan.outFeatures]));
  });
  return parameters;
}

async function loadFrom(dir: string, load: (source: WeightSource) => LoadReport): Promise<LoadReport> {
  const checkpoint = await openCheckpoint(dir);
  try {
    return load(checkpoint);
  } finally {
    checkpoint.close();
  }
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sortedKeys(json: HFConfigJSON): HFConfigJSON {
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
