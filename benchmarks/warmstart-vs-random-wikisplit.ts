// Benchmark (not a test): the central finding of Rothe et al. (2020), small. A tiny BERT is pre-trained (masked
// LM) on WikiText-2; a BERT2BERT warm-started from it and the same architecture with random weights (Rnd2Rnd)
// are fine-tuned on WikiSplit tune.tsv with the same budget and settings; SARI is measured on validation.tsv.
// Writes benchmarks/results/warmstart-vs-random-wikisplit.json.
//
//   pnpm turbo run build --filter @warmstart/training...
//   pnpm --filter @warmstart/benchmarks exec tsx warmstart-vs-random-wikisplit.ts
//
// Budgets (environment): WARMSTART_BENCH_PRETRAIN_STEPS (default 1500), WARMSTART_BENCH_FINETUNE_STEPS (600),
// WARMSTART_BENCH_EVAL_EXAMPLES (200), WARMSTART_BENCH_BATCH (16). Needs ../shared/data (wikisplit, lm-text).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import type { Tokenizer } from "@warmstart/tokenizers";
import { pretrain, readPairs, Seq2SeqTrainer, type Seq2SeqExample } from "@warmstart/training";
import { runProvenance } from "@warmstart/test-utils";

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, "..", "..", "shared", "data");
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const BUDGET = {
  pretrainSteps: env("WARMSTART_BENCH_PRETRAIN_STEPS", 1500),
  finetuneSteps: env("WARMSTART_BENCH_FINETUNE_STEPS", 600),
  evalExamples: env("WARMSTART_BENCH_EVAL_EXAMPLES", 200),
  batchSize: env("WARMSTART_BENCH_BATCH", 16),
};
const BERT = {
  model_type: "bert",
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
  max_position_embeddings: 128,
};
const PRETRAIN = { vocabSize: 8000, blockSize: 64, learningRate: 1e-3, warmupSteps: 100, seed: 0 };
const FINETUNE = {
  learningRate: 5e-4,
  warmupSteps: 50,
  maxSourceLength: 64,
  maxTargetLength: 64,
  seed: 0,
  generation: { maxNewTokens: 64, numBeams: 1 },
};

async function finetune(
  name: string,
  model: EncoderDecoderModel,
  tokenizer: Tokenizer,
  train: Seq2SeqExample[],
  valid: Seq2SeqExample[],
) {
  const start = performance.now();
  const trainer = new Seq2SeqTrainer({
    model,
    sourceTokenizer: tokenizer,
    trainExamples: train,
    batchSize: BUDGET.batchSize,
    maxSteps: BUDGET.finetuneSteps,
    learningRate: FINETUNE.learningRate,
    warmupSteps: FINETUNE.warmupSteps,
    maxSourceLength: FINETUNE.maxSourceLength,
    maxTargetLength: FINETUNE.maxTargetLength,
    seed: FINETUNE.seed,
    loggingSteps: 50,
    log: (line) => console.error(`[${name}] ${line}`),
    evaluation: {
      examples: valid,
      everySteps: BUDGET.finetuneSteps,
      metrics: ["sari"],
      metricForBestModel: "sari",
      generation: FINETUNE.generation,
    },
  });
  const result = await trainer.train();
  const evaluation = trainer.logHistory.find((e) => "eval_sari" in e);
  return {
    sari: evaluation?.eval_sari ?? null,
    evalLoss: evaluation?.eval_loss ?? null,
    firstLoss: result.losses[0] ?? null,
    lastLoss: result.losses.at(-1) ?? null,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const started = performance.now();
  const choice = await initBackend();
  const work = mkdtempSync(join(tmpdir(), "warmstart-bench-"));
  try {
    const bertDir = join(work, "tiny-bert");
    const pretrainStart = performance.now();
    const pre = await pretrain({
      objective: "mlm",
      config: BERT,
      textFiles: [join(shared, "lm-text", "wikitext-2.valid.txt"), join(shared, "lm-text", "wikitext-2.test.txt")],
      tokenizer: { vocabSize: PRETRAIN.vocabSize },
      outputDir: bertDir,
      blockSize: PRETRAIN.blockSize,
      batchSize: BUDGET.batchSize,
      maxSteps: BUDGET.pretrainSteps,
      learningRate: PRETRAIN.learningRate,
      warmupSteps: PRETRAIN.warmupSteps,
      seed: PRETRAIN.seed,
      loggingSteps: 100,
      log: (line) => console.error(`[pretrain] ${line}`),
    });
    const pretrainSeconds = (performance.now() - pretrainStart) / 1000;
    const tokenizer = pre.tokenizer;
    const train = (await readPairs(join(shared, "wikisplit", "tune.tsv"), { columns: { source: 0, target: 1 } }))
      .examples;
    const valid = (
      await readPairs(join(shared, "wikisplit", "validation.tsv"), { columns: { source: 0, target: 1 } })
    ).examples.slice(0, BUDGET.evalExamples);
    const tokens = {
      decoderStartTokenId: tokenizer.clsTokenId as number,
      eosTokenId: tokenizer.sepTokenId as number,
      padTokenId: tokenizer.padTokenId as number,
    };
    const warmModel = await EncoderDecoderModel.fromEncoderDecoderPretrained(bertDir, bertDir, {
      ...tokens,
      seed: FINETUNE.seed,
    });
    const warm = await finetune("warm", warmModel, tokenizer, train, valid);
    warmModel.dispose();
    const randomConfig = { ...BERT, vocab_size: tokenizer.vocabSize };
    const randomModel = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
      ...tokens,
      encoderConfig: randomConfig,
      decoderConfig: randomConfig,
      seed: FINETUNE.seed,
    });
    const random = await finetune("random", randomModel, tokenizer, train, valid);
    randomModel.dispose();
    const date = new Date().toISOString();
    const result = {
      provenance: runProvenance(loadBefore, date, here),
      benchmark: "warmstart-vs-random-wikisplit",
      warm,
      random,
      warmBeatsRandom: warm.sari !== null && random.sari !== null ? warm.sari > random.sari : null,
      budget: {
        ...BUDGET,
        pretrainBlocks: pre.blocks,
        pretrainFirstLoss: pre.losses[0],
        pretrainLastLoss: pre.losses.at(-1),
      },
      configs: { bert: { ...BERT, vocab_size: tokenizer.vocabSize }, pretrain: PRETRAIN, finetune: FINETUNE },
      data: {
        pretrain: "WikiText-2 valid + test (../shared/data/lm-text)",
        train: "WikiSplit tune.tsv (5000 pairs)",
        evaluate: `WikiSplit validation.tsv, first ${BUDGET.evalExamples}`,
      },
      wallTimeSeconds: {
        pretrain: pretrainSeconds,
        warm: warm.wallSeconds,
        random: random.wallSeconds,
        total: (performance.now() - started) / 1000,
      },
      backend: choice.backend,
      date,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    };
    mkdirSync(join(here, "results"), { recursive: true });
    writeFileSync(join(here, "results", "warmstart-vs-random-wikisplit.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ warm: warm.sari, random: random.sari }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
