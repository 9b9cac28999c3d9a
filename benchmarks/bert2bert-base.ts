// The BERT2BERT-base model of the beam-search rows (random weights, bert-base-uncased's config and special tokens),
// shared by engine.ts and the GPU check so that both time the same thing, and the BERT2GPT2-base of the greedy row.
import { EncoderDecoderConfig, EncoderDecoderModel, baseConfig } from "@warmstart/composer";

const SPECIAL = { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 } as const;

export function randomBert2BertBase(): EncoderDecoderModel {
  const bert = baseConfig("bert-base-uncased");
  const config = EncoderDecoderConfig.fromSubConfigs(
    bert,
    { ...bert, is_decoder: true, add_cross_attention: true },
    SPECIAL,
  );
  return EncoderDecoderModel.fromConfig(config, { seed: 0 });
}

/** Beam search that generates exactly `newTokens` tokens: every eos is banned (minLength above the new tokens). */
export function exactLengthBeamSettings(numBeams: number, newTokens: number) {
  return { numBeams, maxNewTokens: newTokens, minLength: newTokens + 2, earlyStopping: true as const, ...SPECIAL };
}

/** GPT-2's end of text, its decoder start and eos in transformers' BERT2GPT2 recipes. */
const GPT2_SPECIAL = { decoderStartTokenId: 50256, eosTokenId: 50256, padTokenId: 50256 } as const;

/** bert-base-uncased encoder, GPT-2 (124M) decoder with cross-attention, random weights. */
export function randomBert2Gpt2Base(): EncoderDecoderModel {
  const config = EncoderDecoderConfig.fromSubConfigs(
    baseConfig("bert-base-uncased"),
    { ...baseConfig("gpt2"), is_decoder: true, add_cross_attention: true },
    GPT2_SPECIAL,
  );
  return EncoderDecoderModel.fromConfig(config, { seed: 0 });
}

/** Greedy search of exactly `newTokens` tokens with BERT2GPT2 (eos banned by minLength). */
export function exactLengthGreedyGpt2Settings(newTokens: number) {
  return { numBeams: 1, maxNewTokens: newTokens, minLength: newTokens + 2, ...GPT2_SPECIAL };
}
