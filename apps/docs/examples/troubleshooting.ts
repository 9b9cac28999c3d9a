// Problems users of Hugging Face's EncoderDecoderModel hit, and what they look like here.
import {
  ComposerError,
  EncoderDecoderModel,
  GenerationError,
  shiftTokensRight,
  IGNORE_INDEX,
} from "@warmstart/composer";

/** A tiny random BERT, as config.json fields: enough to show each failure in milliseconds. */
export const TINY_BERT = {
  model_type: "bert",
  vocab_size: 100,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 32,
  pad_token_id: 0,
};

export async function missingStartToken(): Promise<string> {
  // #region missing-start-token
  // BERT's config.json has no bos/eos token, so nothing tells the decoder how to start.
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: TINY_BERT,
    decoderConfig: TINY_BERT,
  });
  try {
    await model.generate({ inputIds: [[2, 5, 7, 3]] });
  } catch (error) {
    // GenerationError "MISSING_TOKEN_ID": "decoderStartTokenId is not set: the decoder needs a first token …"
    if (error instanceof GenerationError) return error.code;
    throw error;
  } finally {
    model.dispose();
  }
  // Fix: pass decoderStartTokenId / eosTokenId / padTokenId to fromEncoderDecoderPretrained
  // ([CLS] / [SEP] / [PAD] for BERT; <s> / </s> / <pad> for RoBERTa; <|endoftext|> for GPT-2).
  // #endregion missing-start-token
  return "no error";
}

export function labelShifting(): { decoderInputIds: number[][]; labels: number[][] } {
  // #region label-shifting
  // labels: the target ids, -100 on padding. Decoder inputs are the same ids shifted right by one with the
  // start token in front (and -100 replaced by the pad id): position t sees tokens < t and predicts token t.
  const labels = [[7, 8, 9, 3, IGNORE_INDEX, IGNORE_INDEX]];
  const decoderInputIds = shiftTokensRight(labels, /* pad_token_id */ 0, /* decoder_start_token_id */ 2);
  // → [[2, 7, 8, 9, 3, 0]]. forward({ labels }) does exactly this; give decoderInputIds only if you
  // built them this way yourself — never shift the labels a second time.
  // #endregion label-shifting
  return { decoderInputIds, labels };
}

export async function randomCrossAttention(
  checkpoint: string,
): Promise<{ random: string[]; crossAttention: string[] }> {
  // #region random-cross-attention
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(checkpoint, checkpoint); // "bert-base-uncased"
  const random = model.warmStartReport().randomWeights.decoder; // decoder weights not in the checkpoint
  const crossAttention = random.filter((name) => name.includes(".crossattention."));
  // Expected: random === crossAttention. These weights are new; generations are noise until fine-tuning.
  // #endregion random-cross-attention
  model.dispose();
  return { random, crossAttention };
}

export function labelsArePadded(labels: number[][], padTokenId: number): boolean {
  // #region constant-output
  // A model that learnt to predict padding emits the same tokens for every input. Check the batch:
  const padInLabels = labels.some((row) => row.includes(padTokenId));
  // true → pad ids are being learnt as targets; set them to -100 (prepareSeq2SeqBatch does).
  // #endregion constant-output
  return padInLabels;
}

export async function tyingLimits(): Promise<string> {
  // #region tying-limits
  // Tying needs the same architecture on both sides: a BERT encoder and a GPT-2 decoder share no weights.
  try {
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
      encoderConfig: TINY_BERT,
      decoderConfig: { model_type: "gpt2", vocab_size: 100, n_embd: 16, n_layer: 1, n_head: 2, n_positions: 32 },
      tieEncoderDecoder: true,
    });
    model.dispose();
    return "tied";
  } catch (error) {
    if (error instanceof ComposerError) return error.code;
    throw error;
  }
  // #endregion tying-limits
}
