// BERT2GPT2: a BERT encoder and a GPT-2 decoder, each with its own tokenizer.
import { EncoderDecoderModel, generateText } from "@warmstart/composer";
import { AutoTokenizer, prepareSeq2SeqBatch, type Tokenizer } from "@warmstart/tokenizers";
import { train } from "./cnn-dailymail.js";

export async function bert2gpt2(
  bertCheckpoint: string,
  gpt2Checkpoint: string,
  articles: string[],
  highlights: string[],
  lengths = { maxSourceLength: 512, maxTargetLength: 128 },
): Promise<{ model: EncoderDecoderModel; losses: number[]; summaries: string[]; gpt2: Tokenizer }> {
  // #region bert2gpt2
  const bert = await AutoTokenizer.fromPretrained(bertCheckpoint); // "bert-base-cased"
  const gpt2 = await AutoTokenizer.fromPretrained(gpt2Checkpoint); // "gpt2"
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(bertCheckpoint, gpt2Checkpoint, {
    // GPT-2 has no [CLS]/[SEP] and no pad token: start with <|endoftext|>, end with it, pad with it.
    decoderStartTokenId: gpt2.bosTokenId,
    eosTokenId: gpt2.eosTokenId,
    padTokenId: gpt2.eosTokenId,
  });
  // Targets become <|endoftext|> … <|endoftext|>; labels are -100 where the decoder mask is 0, so the real
  // final <|endoftext|> is still learnt although pad and eos share an id.
  const batch = await prepareSeq2SeqBatch(articles, highlights, {
    sourceTokenizer: bert,
    targetTokenizer: gpt2,
    ...lengths,
    padding: "longest",
  });
  const losses = await train(model, [batch], { epochs: 10, learningRate: 1e-3 });
  const summaries = await generateText(model, articles, {
    sourceTokenizer: bert,
    targetTokenizer: gpt2,
    numBeams: 4,
    maxLength: 24,
  });
  // #endregion bert2gpt2
  return { model, losses, summaries, gpt2 };
}
