import { ComposerError } from "./errors.js";

/** A decoder weight that is the encoder's tensor under tie_encoder_decoder (names of the two classes). */
export interface TiePair {
  decoder: string;
  encoder: string;
}

/**
 * Which decoder weights tie_encoder_decoder makes the encoder's: every weight of the decoder's base model
 * (`basePrefix` + name) whose path also exists in the encoder, as transformers'
 * `_tie_encoder_decoder_weights` does. Both sides must be the same architecture with the same shapes;
 * anything else is an error, because half-shared modules of two architectures cannot work as trained.
 */
export function tiePairs(
  encoderType: string,
  decoderType: string,
  basePrefix: string,
  encoderShapes: ReadonlyMap<string, number[]>,
  decoderShapes: ReadonlyMap<string, number[]>,
): TiePair[] {
  if (encoderType !== decoderType) {
    throw new ComposerError(
      "TIE_MISMATCH",
      `tieEncoderDecoder needs the same architecture on both sides, but the encoder is "${encoderType}" and the decoder "${decoderType}"; set tieEncoderDecoder: false (tie_encoder_decoder in config.json)`,
    );
  }
  const pairs: TiePair[] = [];
  for (const [name, shape] of encoderShapes) {
    const decoderName = basePrefix + name;
    const decoderShape = decoderShapes.get(decoderName);
    if (decoderShape === undefined) continue;
    if (decoderShape.length !== shape.length || decoderShape.some((d, i) => d !== shape[i])) {
      throw new ComposerError(
        "TIE_MISMATCH",
        `tieEncoderDecoder: decoder weight "${decoderName}" has shape [${decoderShape}] but the encoder's "${name}" has [${shape}]; tied sides need identical configs (vocab_size, hidden_size, layers, ...)`,
      );
    }
    pairs.push({ decoder: decoderName, encoder: name });
  }
  if (pairs.length === 0) {
    throw new ComposerError(
      "TIE_MISMATCH",
      `tieEncoderDecoder: no decoder weight under "${basePrefix}" has an encoder counterpart`,
    );
  }
  return pairs;
}
