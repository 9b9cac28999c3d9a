// The BERT2BERT-base model of the beam-search rows (random weights, bert-base-uncased's config and special tokens),
// shared by engine.ts and the GPU check so that both time the same thing.
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
