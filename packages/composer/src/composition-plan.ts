import type { HFConfigJSON } from "./encoder-decoder-config.js";
import { encoderShapes, familyOf, type Family } from "./families.js";
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
  encoderFamily: Family;
  decoderFamily: Family;
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

export function planComposition(
  encoder: HFConfigJSON,
  decoder: HFConfigJSON,
  tieEncoderDecoder: boolean,
): CompositionPlan {
  const encoderConfig = withRole(encoder, "encoder");
  const decoderConfig = withRole(decoder, "decoder");
  const encoderFamily = familyOf(encoderConfig, "encoder");
  const decoderFamily = familyOf(decoderConfig, "decoder");
  const encShapes = encoderShapes(encoderFamily, encoderConfig);
  const decShapes = decoderFamily.decoderShapes(decoderConfig);
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
