/**
 * The pre-trained checkpoints a demo run warm-starts from: local folders that
 * `EncoderDecoderModel.fromEncoderDecoderPretrained` and `AutoTokenizer.fromPretrained` load, whether they are
 * the ones bundled with warmstart (the offline default) or downloaded from the Hugging Face Hub (`--from-hub`).
 */
export interface DemoCheckpoints {
  /** A BERT folder: config.json, the weights, and vocab.txt or tokenizer.json. */
  bert: string;
  /** A RoBERTa folder, or null when the run has none. */
  roberta: string | null;
  /** A GPT-2 folder, or null when the run needs no GPT-2 (no BERT2GPT2). */
  gpt2: string | null;
  /** Where the checkpoints came from, in words for logs and reports (e.g. the Hub ids and commits). */
  origin: string;
}
