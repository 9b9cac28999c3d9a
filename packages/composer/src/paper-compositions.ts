import { baseConfig } from "./base-configs.js";
import type { CompositionRow } from "./composition-report.js";
import { describeComposition, type DescribeOptions } from "./describe-composition.js";
import type { HFConfigJSON } from "./encoder-decoder-config.js";
import type { PartSpec } from "./part-source.js";

/** One of the nine compositions of Rothe et al. (2020), Table 1, as arguments of fromEncoderDecoderPretrained. */
export interface PaperComposition {
  name: string;
  encoder: PartSpec;
  decoder: PartSpec;
  options: DescribeOptions;
}

/** Where the three pretrained checkpoints are (Hub id / folder) and the config "Rnd" parts use. */
export interface PaperCheckpoints {
  bert: string;
  roberta: string;
  gpt2: string;
  /** Config of randomly initialised parts: the paper uses a BERT-base-compatible architecture. */
  randomConfig: HFConfigJSON;
}

/** The nine compositions in the paper's order. Random parts are `null` with the BERT config in options. */
export function paperCompositions(c: PaperCheckpoints): PaperComposition[] {
  const rnd = c.randomConfig;
  return [
    { name: "Rnd2Rnd", encoder: null, decoder: null, options: { encoderConfig: rnd, decoderConfig: rnd } },
    { name: "Rnd2BERT", encoder: null, decoder: c.bert, options: { encoderConfig: rnd } },
    { name: "BERT2Rnd", encoder: c.bert, decoder: null, options: { decoderConfig: rnd } },
    { name: "Rnd2GPT2", encoder: null, decoder: c.gpt2, options: { encoderConfig: rnd } },
    { name: "BERT2BERT", encoder: c.bert, decoder: c.bert, options: {} },
    { name: "BERTShare", encoder: c.bert, decoder: c.bert, options: { tieEncoderDecoder: true } },
    { name: "RoBERTaShare", encoder: c.roberta, decoder: c.roberta, options: { tieEncoderDecoder: true } },
    { name: "BERT2GPT2", encoder: c.bert, decoder: c.gpt2, options: {} },
    { name: "RoBERTa2GPT2", encoder: c.roberta, decoder: c.gpt2, options: {} },
  ];
}

/** The paper's base setting: bert-base-cased, roberta-base and gpt2, from the configs shipped in this package. */
export const PAPER_COMPOSITIONS: readonly PaperComposition[] = paperCompositions({
  bert: "bert-base-cased",
  roberta: "roberta-base",
  gpt2: "gpt2",
  randomConfig: baseConfig("bert-base-cased"),
});

/** describeComposition for each of the nine base compositions (config only, nothing downloaded). */
export async function describePaperCompositions(
  compositions: readonly PaperComposition[] = PAPER_COMPOSITIONS,
): Promise<CompositionRow[]> {
  const rows: CompositionRow[] = [];
  for (const c of compositions) {
    rows.push({ name: c.name, report: await describeComposition(c.encoder, c.decoder, c.options) });
  }
  return rows;
}
