import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { SeededRandom } from "@warmstart/core";
import { initBackend, openCheckpoint, tf } from "@warmstart/tensors";
import { Tokenizer } from "@warmstart/tokenizers";
import { Seq2SeqTrainer } from "../trainer/seq2seq-trainer.js";
import { pretrain } from "./pretrain.js";
import { withTempDir } from "../test-support/temp-dir.js";

before(async () => {
  await initBackend();
});

const WORDS = [
  "the",
  "cat",
  "dog",
  "sat",
  "ran",
  "on",
  "mat",
  "park",
  "a",
  "big",
  "small",
  "red",
  "saw",
  "and",
  "it",
  "was",
];

function sentences(count: number, seed: number): string[] {
  const rng = new SeededRandom(seed);
  return Array.from(
    { length: count },
    () => Array.from({ length: 4 + rng.int(6) }, () => WORDS[rng.int(WORDS.length)]).join(" ") + " .",
  );
}

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir("pretrain-", fn);

const TINY_BERT = {
  model_type: "bert",
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 64,
  max_position_embeddings: 64,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
};

test("masked-LM pre-training writes a Hub folder that warm-starts a BERT2BERT the Seq2SeqTrainer fine-tunes", async () => {
  await withDir(async (dir) => {
    const textFile = join(dir, "corpus.txt");
    await writeFile(textFile, `${sentences(300, 1).join("\n")}\n`);
    const out = join(dir, "tiny-bert");
    const result = await pretrain({
      objective: "mlm",
      config: TINY_BERT,
      textFiles: [textFile],
      tokenizer: { vocabSize: 120 },
      outputDir: out,
      blockSize: 32,
      batchSize: 8,
      maxSteps: 30,
      learningRate: 1e-2,
      log: () => {},
      loggingSteps: 10,
    });
    assert.equal(result.globalStep, 30);
    assert.ok(
      (result.losses.at(-1) as number) < (result.losses[0] as number) - 0.5,
      `MLM loss should fall: ${result.losses[0]} → ${result.losses.at(-1)}`,
    );
    const files = await readdir(out);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) {
      assert.ok(files.includes(f), `${f} in ${files.join(", ")}`);
    }
    const config = JSON.parse(await readFile(join(out, "config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(config.model_type, "bert");
    assert.deepEqual(config.architectures, ["BertForMaskedLM"]);
    assert.equal(config.is_decoder, false);
    const weights = await openCheckpoint(out);
    assert.ok(
      weights.has("bert.embeddings.word_embeddings.weight") && weights.has("cls.predictions.transform.dense.weight"),
    );
    weights.close();
    const reloaded = await Tokenizer.fromPretrained(out);
    assert.equal(reloaded.vocabSize, result.tokenizer.vocabSize);
    assert.equal(reloaded.maskTokenId, result.tokenizer.maskTokenId);

    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(out, out, {
      decoderStartTokenId: result.tokenizer.clsTokenId as number,
      eosTokenId: result.tokenizer.sepTokenId as number,
      padTokenId: result.tokenizer.padTokenId as number,
    });
    try {
      const report = model.warmStartReport();
      assert.ok(
        report.parts.encoder.leveraged > 0 && report.parts.decoder.leveraged > 0,
        "both sides take the pre-trained weights",
      );
      // HF's BertForMaskedLM has no pooler; everything else of the encoder comes from the checkpoint.
      assert.ok(
        report.randomWeights.encoder.every((n) => n.includes("pooler")),
        report.randomWeights.encoder.join(", "),
      );
      // The decoder's LM head is the pre-trained MLM head; only cross-attention is new.
      assert.ok(
        report.randomWeights.decoder.every((n) => n.includes("crossattention")),
        report.randomWeights.decoder.join(", "),
      );
      const pairs = sentences(16, 7).map((s) => ({ source: s, target: s.split(" ").slice(0, 3).join(" "), line: 0 }));
      const tensorsBefore = tf.memory().numTensors;
      const trainer = new Seq2SeqTrainer({
        model,
        sourceTokenizer: result.tokenizer,
        trainExamples: pairs,
        batchSize: 4,
        maxSourceLength: 32,
        maxTargetLength: 16,
        maxSteps: 4,
        learningRate: 1e-3,
        outputDir: join(dir, "finetune"),
        saveSteps: 2,
        log: () => {},
        evaluation: {
          examples: pairs.slice(0, 4),
          everySteps: 4,
          metrics: ["sari"],
          generation: { maxNewTokens: 5 },
          metricForBestModel: "sari",
        },
      });
      const fine = await trainer.train();
      assert.equal(fine.losses.length, 4);
      assert.ok(fine.losses.every(Number.isFinite));
      assert.equal(tf.memory().numTensors, tensorsBefore);
      const evals = trainer.logHistory.filter((e) => "eval_sari" in e);
      assert.equal(evals.length, 1);
      assert.ok(Number.isFinite(evals[0]?.eval_sari), "SARI of predict-with-generate is logged");
      assert.ok((await readdir(join(dir, "finetune", "checkpoint-4"))).includes("config.json"));
    } finally {
      model.dispose();
    }
  });
});

test("causal-LM pre-training of a tiny GPT-2 lowers the loss and saves GPT2LMHeadModel", async () => {
  await withDir(async (dir) => {
    const textFile = join(dir, "corpus.txt");
    await writeFile(textFile, `${sentences(200, 2).join("\n")}\n`);
    const out = join(dir, "tiny-gpt2");
    const result = await pretrain({
      objective: "clm",
      config: {
        model_type: "gpt2",
        n_embd: 32,
        n_layer: 1,
        n_head: 2,
        n_positions: 64,
        resid_pdrop: 0,
        embd_pdrop: 0,
        attn_pdrop: 0,
      },
      textFiles: [textFile],
      tokenizer: { vocabSize: 300 },
      outputDir: out,
      blockSize: 32,
      batchSize: 8,
      maxSteps: 20,
      learningRate: 1e-2,
      log: () => {},
    });
    assert.ok(
      (result.losses.at(-1) as number) < (result.losses[0] as number) - 0.5,
      `CLM loss should fall: ${result.losses[0]} → ${result.losses.at(-1)}`,
    );
    const config = JSON.parse(await readFile(join(out, "config.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(config.architectures, ["GPT2LMHeadModel"]);
    assert.equal(config.vocab_size, result.tokenizer.vocabSize);
  });
});

test("pretrain refuses MLM on GPT-2", async () => {
  await assert.rejects(
    pretrain({
      objective: "mlm",
      config: { model_type: "gpt2" },
      textFiles: [],
      tokenizer: { vocabSize: 10 },
      outputDir: "/nonexistent",
      log: () => {},
    }),
    { code: "INVALID_OPTION" },
  );
});

// Training a tokenizer is not deterministic (the Rust trainer breaks frequency ties in hash-map order), so a resumed
// pre-training must read the tokenizer its interrupted run trained: ids would otherwise change meaning mid-run.
test("a resumed pre-training reuses the tokenizer its interrupted run trained (saved before the first step), not a new one", async () => {
  await withDir(async (dir) => {
    const textFile = join(dir, "corpus.txt");
    await writeFile(textFile, `${sentences(200, 5).join("\n")}\n`);
    const common = {
      objective: "mlm" as const,
      config: TINY_BERT,
      textFiles: [textFile],
      tokenizer: { vocabSize: 120, showProgress: false },
      blockSize: 16,
      batchSize: 4,
      maxSteps: 4,
      learningRate: 1e-3,
      saveSteps: 2,
      log: () => {},
    };
    const whole = await pretrain({ ...common, outputDir: join(dir, "whole") });
    const interrupted = join(dir, "interrupted");
    await pretrain({ ...common, outputDir: interrupted, maxSteps: 2 });
    const saved = await readFile(join(interrupted, "tokenizer.json"), "utf8");
    // A different text: a tokenizer trained again on it would differ; the resumed run must not train one.
    await writeFile(textFile, `${sentences(200, 5).join("\n")}\n${sentences(50, 9).join(" zebra ")}\n`);
    const resumed = await pretrain({
      ...common,
      textFiles: [join(dir, "corpus.txt")],
      outputDir: interrupted,
      resumeFrom: join(interrupted, "checkpoint-2"),
    });
    assert.equal(await readFile(join(interrupted, "tokenizer.json"), "utf8"), saved);
    assert.equal(resumed.tokenizer.vocabSize, whole.tokenizer.vocabSize);
    assert.equal(resumed.globalStep, 4);
  });
});

test("resuming a pre-training whose output folder has no tokenizer is a typed error", async () => {
  await withDir(async (dir) => {
    const textFile = join(dir, "corpus.txt");
    await writeFile(textFile, `${sentences(50, 1).join("\n")}\n`);
    await assert.rejects(
      pretrain({
        objective: "mlm",
        config: TINY_BERT,
        textFiles: [textFile],
        tokenizer: { vocabSize: 100, showProgress: false },
        outputDir: join(dir, "empty"),
        resumeFrom: "latest",
        log: () => {},
      }),
      (error: Error & { code?: string }) =>
        error.code === "INVALID_OPTION" &&
        /resuming needs the tokenizer the interrupted run trained/.test(error.message),
    );
  });
});
