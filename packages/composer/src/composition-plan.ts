import type { HFConfigJSON } from "./encoder-decoder-config.js";
import type { ModelFamily } from "./families/model-family.js";
import { familyForRole } from "./families/registry.js";
import { tiePairs, type TiePair } from "./tying.js";

/** The projection transformers adds between encoder and decoder when their hidden sizes differ. */
export interface ProjectionPlan {
  inFeatures: number;
  outFeatures: number;
  /** Standard deviation of the weight's normal initialiser (the decoder's initializer_range). */
  std: number;
}

/** Everything about a composition's structure that follows from the two configs alone. */
export interface CompositionPlan {
  encoderConfig: HFConfigJSON;
  decoderConfig: HFConfigJSON;
  encoderFamily: ModelFamily;
  decoderFamily: ModelFamily;
  encoderShapes: Map<string, number[]>;
  decoderShapes: Map<string, number[]>;
  projection: ProjectionPlan | null;
  ties: TiePair[];
}

export const PROJECTION_PREFIX = "enc_to_dec_proj.";

/** The sub-config roles transformers sets: a plain encoder, and a causal decoder with cross-attention. */
export function withRole(json: HFConfigJSON, role: "encoder" | "decoder"): HFConfigJSON {
  return { ...json, is_decoder: role === "decoder", add_cross_attention: role === "decoder" };
}

/** A family's class for a role that familyForRole has checked it has. */
export function roleOf<R extends "encoder" | "decoder">(family: ModelFamily, role: R): NonNullable<ModelFamily[R]> {
  return family[role] as NonNullable<ModelFamily[R]>;
}

export function planComposition(
  encoder: HFConfigJSON,
  decoder: HFConfigJSON,
  tieEncoderDecoder: boolean,
): CompositionPlan {
  const encoderConfig = withRole(encoder, "encoder");
  const decoderConfig = withRole(decoder, "decoder");
  const encoderFamily = familyForRole(encoderConfig, "encoder");
  const decoderFamily = familyForRole(decoderConfig, "decoder");
  // The encoder is counted as AutoModel builds it: with the pooler, which encoder-decoder checkpoints store.
  const encShapes = roleOf(encoderFamily, "encoder").parameterShapes(encoderConfig, { addPoolingLayer: true });
  const decShapes = roleOf(decoderFamily, "decoder").parameterShapes(decoderConfig);
  const encoderHidden = encoderFamily.hiddenSize(encoderConfig);
  const decoderHidden = decoderFamily.hiddenSize(decoderConfig);
  // transformers adds enc_to_dec_proj only when the decoder does not project inside its cross-attention.
  const crossHidden = decoderConfig.cross_attention_hidden_size;
  const projection =
    encoderHidden !== decoderHidden && (crossHidden === undefined || crossHidden === null)
      ? { inFeatures: encoderHidden, outFeatures: decoderHidden, std: decoderFamily.initializerRange(decoderConfig) }
      : null;
  const ties = tieEncoderDecoder
    ? tiePairs(encoderFamily.modelType, decoderFamily.modelType, decoderFamily.basePrefix, encShapes, decShapes)
    : [];
  return {
    encoderConfig,
    decoderConfig,
    encoderFamily,
    decoderFamily,
    encoderShapes: encShapes,
    decoderShapes: decShapes,
    projection,
    ties,
  };
}

export function projectionShapes(projection: ProjectionPlan): Map<string, number[]> {
  return new Map([
    [`${PROJECTION_PREFIX}weight`, [projection.outFeatures, projection.inFeatures]],
    [`${PROJECTION_PREFIX}bias`, [projection.outFeatures]],
  ]);
}
