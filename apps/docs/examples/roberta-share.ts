// RoBERTaShare: encoder and decoder are one set of RoBERTa weights (plus the decoder's cross-attention).
import { EncoderDecoderModel, formatCompositionReport } from "@warmstart/composer";
import { AutoTokenizer } from "@warmstart/tokenizers";
import { prepareBatch, train, type Settings } from "./cnn-dailymail.js";

export async function robertaShare(
  checkpoint: string,
  articles: string[],
  highlights: string[],
  settings: Settings,
): Promise<{ model: EncoderDecoderModel; losses: number[]; report: string }> {
  // #region roberta-share
  const tokenizer = await AutoTokenizer.fromPretrained(checkpoint); // "roberta-base"
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(checkpoint, checkpoint, {
    tieEncoderDecoder: true, // every decoder weight that exists in the encoder is the encoder's tensor
    decoderStartTokenId: tokenizer.bosTokenId, // <s>
    eosTokenId: tokenizer.eosTokenId, //          </s>
    padTokenId: tokenizer.padTokenId, //          <pad>
  });
  const report = formatCompositionReport(model.warmStartReport()); // roberta-base: 152.7M total, 29.0M random
  const batch = await prepareBatch(tokenizer, articles, highlights, settings);
  const losses = await train(model, [batch], { epochs: 10, learningRate: 1e-3 });
  // #endregion roberta-share
  return { model, losses, report };
}
