// The BERT2BERT CNN/DailyMail walkthrough (Hugging Face's warm-starting blog) in TypeScript.
import { EncoderDecoderModel, type GenerationConfig } from "@warmstart/composer";
import { rouge } from "@warmstart/evaluation";
import { tf } from "@warmstart/tensors";
import { prepareSeq2SeqBatch, type Tokenizer } from "@warmstart/tokenizers";

// #region settings
/** The blog's CNN/DailyMail settings. */
export const CNN_DAILYMAIL = {
  maxSourceLength: 512, // articles: BERT's maximum
  maxTargetLength: 128, // highlights: 99% are shorter
  generation: {
    numBeams: 4,
    maxLength: 142,
    minLength: 56,
    noRepeatNgramSize: 3,
    lengthPenalty: 2.0,
    earlyStopping: true,
  } satisfies Partial<GenerationConfig>,
};
export type Settings = typeof CNN_DAILYMAIL;
// #endregion settings

export interface TrainingBatch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

// #region prepare
export async function prepareBatch(
  tokenizer: Tokenizer,
  articles: string[],
  highlights: string[],
  settings: Settings = CNN_DAILYMAIL,
): Promise<TrainingBatch> {
  const batch = await prepareSeq2SeqBatch(articles, highlights, {
    sourceTokenizer: tokenizer,
    maxSourceLength: settings.maxSourceLength, // truncated, [CLS] … [SEP] kept
    maxTargetLength: settings.maxTargetLength,
    padding: "max_length",
  });
  // batch.labels: target ids with -100 wherever the target is padding, so the loss skips those positions.
  // batch.decoderInputIds are the unshifted targets (the old transformers convention); EncoderDecoderModel
  // builds its decoder inputs by shifting the labels right itself, so pass labels only.
  return { inputIds: batch.inputIds, attentionMask: batch.attentionMask, labels: batch.labels };
}
// #endregion prepare

// #region warm-start
export async function warmStartBert2Bert(checkpoint: string, tokenizer: Tokenizer): Promise<EncoderDecoderModel> {
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(checkpoint, checkpoint, {
    decoderStartTokenId: tokenizer.clsTokenId, // model.config.decoder_start_token_id = tokenizer.cls_token_id
    eosTokenId: tokenizer.sepTokenId, //          model.config.eos_token_id = tokenizer.sep_token_id
    padTokenId: tokenizer.padTokenId, //          model.config.pad_token_id = tokenizer.pad_token_id
  });
  // Only the decoder's cross-attention (and nothing else) starts random:
  const report = model.warmStartReport();
  console.log(`${report.random} of ${report.total} parameters are random`); // the cross-attention
  return model;
}
// #endregion warm-start

// #region train
export async function train(
  model: EncoderDecoderModel,
  batches: TrainingBatch[],
  options: { epochs: number; learningRate: number },
): Promise<number[]> {
  const optimizer = tf.train.adam(options.learningRate);
  const losses: number[] = [];
  model.train();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const batch of batches) {
      const loss = optimizer.minimize(() => model.forward(batch).loss as tf.Scalar, true, model.trainableVariables());
      losses.push((await loss?.data())?.[0] ?? Number.NaN);
      loss?.dispose();
    }
  }
  optimizer.dispose();
  model.eval();
  return losses;
}
// #endregion train

// #region evaluate
export async function evaluateRouge2(
  model: EncoderDecoderModel,
  tokenizer: Tokenizer,
  articles: string[],
  highlights: string[],
  settings: Settings = CNN_DAILYMAIL,
): Promise<{ summaries: string[]; rouge2: number }> {
  const inputs = await tokenizer.batchEncode(articles, {
    padding: "longest",
    truncation: true,
    maxLength: settings.maxSourceLength,
  });
  const { sequences } = await model.generate(inputs, settings.generation);
  const summaries = await tokenizer.batchDecode(sequences, { skipSpecialTokens: true });
  // The blog reports the mid F-measure of ROUGE-2 (rouge_score, no stemming).
  const scores = rouge(summaries, highlights, { rougeTypes: ["rouge2"] });
  return { summaries, rouge2: scores.rouge2?.mid.fmeasure ?? Number.NaN };
}
// #endregion evaluate
