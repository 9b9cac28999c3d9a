import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { Tokenizer } from "@warmstart/tokenizers";
import { Seq2SeqTrainer, type Seq2SeqExample, type Seq2SeqTrainerOptions } from "@warmstart/training";
import { seeded } from "./rng.js";

/*
 * One tiny BERT2BERT setup shared by the tests and their child processes: the same tokenizer,
 * pairs and model in both, so a child's losses and files can be compared bit for bit with the
 * parent's.
 */

const WORDS = ["alpha", "beta", "gamma", "delta", "one", "two", "three", "red", "blue", "and", "then", "it"];

export interface TinySetup {
  tokenizer: Tokenizer;
  pairs: Seq2SeqExample[];
}

export async function tinySetup(): Promise<TinySetup> {
  await initBackend({ backend: "cpu" });
  const random = seeded(4);
  const pick = (n: number): number => Math.floor(random() * n);
  const texts = Array.from({ length: 24 }, () =>
    Array.from({ length: 3 + pick(4) }, () => WORDS[pick(WORDS.length)]).join(" "),
  );
  // A fixed vocabulary, not a trained one: training may order tied tokens differently from one
  // process to the next, and a child with other token ids would have other losses.
  const tokenizer = Tokenizer.fromVocab({
    kind: "wordpiece",
    vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS],
    modelMaxLength: 16,
  });
  const pairs = texts.map((t, i) => ({ source: t, target: t.split(" ").reverse().slice(0, 3).join(" "), line: i + 1 }));
  return { tokenizer, pairs };
}

/** BERT's default dropout, which the training tests run with: the trainer checkpoints the dropout streams. */
export const TRAIN_DROPOUT = 0.1;

/**
 * A BERT2BERT with 8-wide layers and the given dropout (default 0: saves and loads need no masks).
 * `decoderStartTokenId` tells two saves apart by their config.json as well as by their weights.
 */
export function tinyModel(
  setup: TinySetup,
  seed: number,
  decoderStartTokenId?: number,
  dropout = 0,
): Promise<EncoderDecoderModel> {
  const config = {
    model_type: "bert",
    vocab_size: setup.tokenizer.vocabSize,
    hidden_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 16,
    max_position_embeddings: 16,
    hidden_dropout_prob: dropout,
    attention_probs_dropout_prob: dropout,
  };
  return EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: config,
    decoderConfig: config,
    seed,
    decoderStartTokenId: decoderStartTokenId ?? (setup.tokenizer.clsTokenId as number),
    eosTokenId: setup.tokenizer.sepTokenId as number,
    padTokenId: setup.tokenizer.padTokenId as number,
  });
}

export const TRAIN_STEPS = 6;

export function tinyTrainer(
  setup: TinySetup,
  model: EncoderDecoderModel,
  extra: Partial<Seq2SeqTrainerOptions> = {},
): Seq2SeqTrainer {
  return new Seq2SeqTrainer({
    model,
    sourceTokenizer: setup.tokenizer,
    trainExamples: setup.pairs,
    batchSize: 4,
    maxSteps: TRAIN_STEPS,
    learningRate: 3e-3,
    warmupSteps: 2,
    maxSourceLength: 12,
    maxTargetLength: 6,
    loggingSteps: 1,
    log: () => {},
    ...extra,
  });
}
