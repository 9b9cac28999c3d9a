import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { SeededRandom } from "@warmstart/core";
import { initBackend } from "@warmstart/tensors";
import { trainTokenizer, type Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample } from "../data/read-pairs.js";
import { evaluationSeed, Seq2SeqTrainer, type Seq2SeqTrainerOptions } from "./seq2seq-trainer.js";

const WORDS = ["alpha", "beta", "gamma", "delta", "one", "two", "three", "red", "blue", "and", "then", "it"];
let tokenizer: Tokenizer;
let pairs: Seq2SeqExample[];

before(async () => {
  await initBackend();
  const rng = new SeededRandom(4);
  const texts = Array.from({ length: 40 }, () =>
    Array.from({ length: 3 + rng.int(5) }, () => WORDS[rng.int(WORDS.length)]).join(" "),
  );
  tokenizer = await trainTokenizer({ texts, kind: "wordpiece", vocabSize: 60, modelMaxLength: 32 });
  pairs = texts.map((t, i) => ({ source: t, target: t.split(" ").reverse().slice(0, 3).join(" "), line: i + 1 }));
});

function tinyBert2Bert(seed: number, hidden = 16): Promise<EncoderDecoderModel> {
  const config = {
    model_type: "bert",
    vocab_size: tokenizer.vocabSize,
    hidden_size: hidden,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 2 * hidden,
    max_position_embeddings: 32,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  };
  return EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: config,
    decoderConfig: config,
    seed,
    decoderStartTokenId: tokenizer.clsTokenId as number,
    eosTokenId: tokenizer.sepTokenId as number,
    padTokenId: tokenizer.padTokenId as number,
  });
}

function options(model: EncoderDecoderModel, extra: Partial<Seq2SeqTrainerOptions> = {}): Seq2SeqTrainerOptions {
  return {
    model,
    sourceTokenizer: tokenizer,
    trainExamples: pairs,
    batchSize: 4,
    maxSteps: 6,
    learningRate: 3e-3,
    warmupSteps: 2,
    maxSourceLength: 16,
    maxTargetLength: 8,
    log: () => {},
    ...extra,
  };
}

test("a BERT2BERT resumed from a Seq2SeqTrainer checkpoint repeats the uninterrupted losses exactly", async () => {
  const dir = await mkdtemp(join(tmpdir(), "s2s-"));
  const whole = await tinyBert2Bert(1);
  const first = await tinyBert2Bert(1);
  const second = await tinyBert2Bert(2);
  try {
    const reference = await new Seq2SeqTrainer(options(whole)).train();
    const interrupted = await new Seq2SeqTrainer(options(first, { outputDir: dir, saveSteps: 3, maxSteps: 3 })).train();
    assert.deepEqual(interrupted.losses, reference.losses.slice(0, 3));
    const resumed = new Seq2SeqTrainer(options(second, { outputDir: dir }));
    await resumed.resume("latest");
    const rest = await resumed.train();
    assert.deepEqual(rest.losses, reference.losses.slice(3));
  } finally {
    whole.dispose();
    first.dispose();
    second.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test("resuming a checkpoint of another architecture fails with a clear error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "s2s-"));
  const model = await tinyBert2Bert(1);
  const other = await tinyBert2Bert(1, 8);
  try {
    await new Seq2SeqTrainer(options(model, { outputDir: dir, saveSteps: 1, maxSteps: 1 })).train();
    const trainer = new Seq2SeqTrainer(options(other, { outputDir: dir }));
    await assert.rejects(trainer.resume(join(dir, "checkpoint-1")), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CHECKPOINT_MISMATCH");
      assert.match(
        error.message,
        /checkpoint-1 does not fit this model .*encoder\.embeddings\.word_embeddings\.weight is \[\d+,16\] in the checkpoint, \[\d+,8\] in the model/,
      );
      return true;
    });
  } finally {
    model.dispose();
    other.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test("sampled predict-with-generate is seeded from the run's seed and step, so an evaluation repeats (after a resume too)", async () => {
  const model = await tinyBert2Bert(3);
  try {
    const evaluation = {
      examples: pairs.slice(0, 8),
      everySteps: 100,
      metrics: ["sari", "bleu"] as const,
      generation: { doSample: true, topK: 0, maxNewTokens: 6 },
    };
    const first = await new Seq2SeqTrainer(
      options(model, { evaluation: { ...evaluation, metrics: [...evaluation.metrics] } }),
    ).evaluate();
    const again = await new Seq2SeqTrainer(
      options(model, { evaluation: { ...evaluation, metrics: [...evaluation.metrics] } }),
    ).evaluate();
    assert.deepEqual(again, first);
  } finally {
    model.dispose();
  }
  assert.equal(evaluationSeed(42, 10, 0), evaluationSeed(42, 10, 0));
  const seeds = new Set([
    evaluationSeed(42, 10, 0),
    evaluationSeed(42, 11, 0),
    evaluationSeed(42, 10, 1),
    evaluationSeed(43, 10, 0),
  ]);
  assert.equal(seeds.size, 4, "step, batch and run seed each change the seed");
});
