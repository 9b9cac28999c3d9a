import type { HFConfigJSON } from "@warmstart/modeling";

export interface DecoderPretrainedOptions {
  seed?: number;
  /** Add (randomly initialised) cross-attention blocks, as when warm-starting the decoder of an encoder-decoder. */
  addCrossAttention?: boolean;
}

/**
 * config.json with `is_decoder: true` (unless the file or overrides say otherwise) and the requested
 * `add_cross_attention`, as Hugging Face's `from_encoder_decoder_pretrained` sets them for a decoder.
 */
export function decoderOverrides(json: HFConfigJSON, options: { addCrossAttention?: boolean }): HFConfigJSON {
  const out: HFConfigJSON = { ...json, is_decoder: json.is_decoder ?? true };
  if (options.addCrossAttention !== undefined) {
    out.add_cross_attention = options.addCrossAttention;
    if (options.addCrossAttention) out.is_decoder = true;
  }
  return out;
}
