import {
  type FromPretrainedOptions,
  loadCheckpointInto,
  ModelConfigError,
  modelTypeOf,
  type PretrainedModule,
  readPretrainedConfig,
} from "@warmstart/modeling";
import type { HFConfigJSON } from "../encoder-decoder-config.js";
import type { DecoderModule, EncoderModule } from "../parts.js";
import type { DecoderBuildOptions, EncoderBuildOptions, ModelFamily } from "./model-family.js";
import { modelFamilies, modelFamily } from "./registry.js";

/** The registered family of `json` that can play `role`, or the error today's AutoEncoder / AutoDecoder give. */
function familyWith(json: HFConfigJSON, role: "encoder" | "decoder"): ModelFamily {
  const type = modelTypeOf(json);
  const family = modelFamily(type);
  if (family === undefined || family[role] === null) {
    const supported = modelFamilies()
      .filter((f) => f[role] !== null)
      .map((f) => f.modelType);
    throw new ModelConfigError(
      "UNKNOWN_MODEL_TYPE",
      "model_type",
      `no ${role} for model_type "${type}"; supported: ${supported.join(", ")}`,
    );
  }
  return family;
}

/**
 * loadCheckpointInto only calls the model's loadWeights and dispose, which every EncoderModule / DecoderModule
 * has; its parameter type names the modelling base class, which a registered family's classes need not extend.
 */
function asLoadable<M extends EncoderModule | DecoderModule>(model: M): M & PretrainedModule<unknown> {
  return model as M & PretrainedModule<unknown>;
}

/** Builds the encoder class of the registered family a config's `model_type` names (as Hugging Face's `AutoModel`). */
export const AutoEncoder = {
  /** The model_types with an encoder class, in registration order. */
  get modelTypes(): string[] {
    return modelFamilies()
      .filter((f) => f.encoder !== null)
      .map((f) => f.modelType);
  },

  fromConfig(json: HFConfigJSON, options: EncoderBuildOptions = {}): EncoderModule {
    return (familyWith(json, "encoder").encoder as NonNullable<ModelFamily["encoder"]>).create(json, options);
  },

  async fromPretrained(
    idOrPath: string,
    options: EncoderBuildOptions & FromPretrainedOptions = {},
  ): Promise<EncoderModule> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(asLoadable(AutoEncoder.fromConfig(json, options)), dir, options);
  },
};

/**
 * Builds the causal-LM class of the registered family a config's `model_type` names (as Hugging Face's
 * `AutoModelForCausalLM`); `addCrossAttention: true` makes it a composition's decoder.
 */
export const AutoDecoder = {
  /** The model_types with a causal-LM class, in registration order. */
  get modelTypes(): string[] {
    return modelFamilies()
      .filter((f) => f.decoder !== null)
      .map((f) => f.modelType);
  },

  fromConfig(json: HFConfigJSON, options: DecoderBuildOptions = {}): DecoderModule {
    return (familyWith(json, "decoder").decoder as NonNullable<ModelFamily["decoder"]>).create(json, options);
  },

  async fromPretrained(
    idOrPath: string,
    options: DecoderBuildOptions & FromPretrainedOptions = {},
  ): Promise<DecoderModule> {
    const { dir, json } = await readPretrainedConfig(idOrPath, options);
    return loadCheckpointInto(asLoadable(AutoDecoder.fromConfig(json, options)), dir, options);
  },
};
