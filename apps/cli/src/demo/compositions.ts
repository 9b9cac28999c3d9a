import type { HFConfigJSON, WarmStartOptions } from "@warmstart/composer";
import type { DemoCheckpoints } from "./checkpoints-types.js";

/** Which pre-trained tokenizer a side of a composition reads and writes text with. */
export type DemoTokenizer = "bert" | "roberta" | "gpt2";

/** One of the demo's compositions, as arguments of `fromEncoderDecoderPretrained`. */
export interface DemoComposition {
  name: string;
  encoder: string | null;
  decoder: string | null;
  options: Pick<WarmStartOptions, "tieEncoderDecoder" | "encoderConfig" | "decoderConfig">;
  /** Tokenizers of the source (encoder) and target (decoder) side. */
  tokenizers: { source: DemoTokenizer; target: DemoTokenizer };
}

/**
 * The compositions of Rothe et al. (2020), Table 1, in the order they run and are reported. RoBERTaShare needs the
 * RoBERTa checkpoint, the *2GPT2 ones the GPT-2 checkpoint; `demoCompositions` leaves out what the checkpoints do
 * not allow.
 */
export const DEMO_COMPOSITION_NAMES: readonly string[] = [
  "Rnd2Rnd",
  "Rnd2BERT",
  "BERT2Rnd",
  "BERT2BERT",
  "BERTShare",
  "RoBERTaShare",
  "BERT2GPT2",
  "Rnd2GPT2",
];

/** The pre-trained configs the random parts copy (as the paper's Rnd parts share BERT's architecture and vocabulary). */
export interface DemoConfigs {
  bert: HFConfigJSON;
}

/**
 * Every composition the checkpoints allow. Random parts take the pre-trained BERT's config (same architecture and
 * vocabulary) and so read and write BERT's WordPiece tokens; a GPT-2 decoder writes GPT-2's tokens, RoBERTaShare
 * reads and writes RoBERTa's.
 */
export function demoCompositions(checkpoints: DemoCheckpoints, configs: DemoConfigs): DemoComposition[] {
  const { bert, roberta, gpt2 } = checkpoints;
  const wordPiece = { source: "bert", target: "bert" } as const;
  const all: (DemoComposition | null)[] = [
    {
      name: "Rnd2Rnd",
      encoder: null,
      decoder: null,
      options: { encoderConfig: configs.bert, decoderConfig: configs.bert },
      tokenizers: wordPiece,
    },
    { name: "Rnd2BERT", encoder: null, decoder: bert, options: { encoderConfig: configs.bert }, tokenizers: wordPiece },
    { name: "BERT2Rnd", encoder: bert, decoder: null, options: { decoderConfig: configs.bert }, tokenizers: wordPiece },
    { name: "BERT2BERT", encoder: bert, decoder: bert, options: {}, tokenizers: wordPiece },
    { name: "BERTShare", encoder: bert, decoder: bert, options: { tieEncoderDecoder: true }, tokenizers: wordPiece },
    roberta === null
      ? null
      : {
          name: "RoBERTaShare",
          encoder: roberta,
          decoder: roberta,
          options: { tieEncoderDecoder: true },
          tokenizers: { source: "roberta", target: "roberta" },
        },
    gpt2 === null
      ? null
      : {
          name: "BERT2GPT2",
          encoder: bert,
          decoder: gpt2,
          options: {},
          tokenizers: { source: "bert", target: "gpt2" },
        },
    gpt2 === null
      ? null
      : {
          name: "Rnd2GPT2",
          encoder: null,
          decoder: gpt2,
          options: { encoderConfig: configs.bert },
          tokenizers: { source: "bert", target: "gpt2" },
        },
  ];
  return all.filter((c): c is DemoComposition => c !== null);
}
