import type { HFConfigJSON, WarmStartOptions } from "@warmstart/composer";

/** One of the demo's five compositions, as arguments of `fromEncoderDecoderPretrained`. */
export interface DemoComposition {
  name: string;
  encoder: string | null;
  decoder: string | null;
  options: Pick<WarmStartOptions, "tieEncoderDecoder" | "encoderConfig" | "decoderConfig">;
  /** Whether targets use the GPT-2 tokenizer. */
  gpt2Decoder: boolean;
}

/** The demo's compositions, in the order they run and are reported. */
export const DEMO_COMPOSITION_NAMES: readonly string[] = ["Rnd2Rnd", "BERT2Rnd", "BERT2BERT", "BERTShare", "BERT2GPT2"];

/**
 * Rnd2Rnd, BERT2Rnd, BERT2BERT, BERTShare and BERT2GPT2 of Rothe et al. (2020) at the demo's size. Random
 * parts take the pre-trained BERT's config (same architecture and vocabulary), as the paper's Rnd parts
 * share BERT's.
 */
export function demoCompositions(bertDir: string, gpt2Dir: string, bertConfig: HFConfigJSON): DemoComposition[] {
  return [
    {
      name: "Rnd2Rnd",
      encoder: null,
      decoder: null,
      options: { encoderConfig: bertConfig, decoderConfig: bertConfig },
      gpt2Decoder: false,
    },
    { name: "BERT2Rnd", encoder: bertDir, decoder: null, options: { decoderConfig: bertConfig }, gpt2Decoder: false },
    { name: "BERT2BERT", encoder: bertDir, decoder: bertDir, options: {}, gpt2Decoder: false },
    { name: "BERTShare", encoder: bertDir, decoder: bertDir, options: { tieEncoderDecoder: true }, gpt2Decoder: false },
    { name: "BERT2GPT2", encoder: bertDir, decoder: gpt2Dir, options: {}, gpt2Decoder: true },
  ];
}
