// Benchmark (not a test): training throughput (target tokens/s) of @warmstart/training's Trainer on a small
// BERT2BERT against PyTorch on the same config in the same run. Writes benchmarks/results/training.json.
//
//   pnpm turbo run build --filter @warmstart/training...
//   pnpm --filter @warmstart/benchmarks exec tsx training-throughput.ts        (WARMSTART_BENCH_STEPS=3 by default)
//
// The PyTorch side runs benchmarks/pytorch/training_throughput.py with the first interpreter that imports torch
// (WARMSTART_PYTHON, /usr/bin/python3, python3); nothing is installed. Without torch the result says so.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend, tf } from "@warmstart/tensors";
import { Rng, Trainer } from "@warmstart/training";
import { runPytorchBaseline, type BaselineResult } from "./pytorch-baseline.js";

const here = dirname(fileURLToPath(import.meta.url));
// The tiny BERT2BERT of research/engine-facts.md.
const SETTINGS = { hidden: 128, layers: 2, heads: 2, ffn: 512, vocab: 8000, batch: 32, source: 64, target: 32 };
const STEPS = Number(process.env.WARMSTART_BENCH_STEPS ?? 3);

interface Batch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

function randomRows(rows: number, length: number, rng: Rng): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length }, () => 1000 + rng.int(SETTINGS.vocab - 1000)));
}

async function benchTfjs(): Promise<Record<string, unknown>> {
  const choice = await initBackend();
  const config = {
    model_type: "bert",
    vocab_size: SETTINGS.vocab,
    hidden_size: SETTINGS.hidden,
    num_hidden_layers: SETTINGS.layers,
    num_attention_heads: SETTINGS.heads,
    intermediate_size: SETTINGS.ffn,
    // Dropout off on both sides: the PyTorch baseline has none.
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  };
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: config,
    decoderConfig: config,
    decoderStartTokenId: 101,
    padTokenId: 0,
  });
  const rng = new Rng(1);
  const batch: Batch = {
    inputIds: randomRows(SETTINGS.batch, SETTINGS.source, rng),
    attentionMask: Array.from({ length: SETTINGS.batch }, () => new Array<number>(SETTINGS.source).fill(1)),
    labels: randomRows(SETTINGS.batch, SETTINGS.target, rng),
  };
  const run = (steps: number): Promise<unknown> =>
    new Trainer<number, Batch>({
      model,
      trainExamples: Array.from({ length: SETTINGS.batch }, (_, i) => i),
      collate: () => batch,
      batchSize: SETTINGS.batch,
      maxSteps: steps,
      learningRate: 5e-5,
      schedule: { kind: "constant", lr: 5e-5 },
      log: () => {},
    }).train();
  await run(1); // warm-up: kernel setup and weight packing
  const seconds: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const start = performance.now();
    await run(1);
    seconds.push((performance.now() - start) / 1000);
  }
  const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)] as number;
  const parameters = model.numParameters();
  model.dispose();
  console.error(`tfjs ${choice.backend}: ${median.toFixed(2)} s/step`);
  return {
    backend: choice.backend,
    wasmSimd: choice.wasmSimd,
    parameters,
    seconds,
    secondsPerStepMedian: median,
    targetTokensPerSecond: (SETTINGS.batch * SETTINGS.target) / median,
    tensorsAfter: tf.memory().numTensors,
  };
}

function benchPytorch(): BaselineResult {
  return runPytorchBaseline("training_throughput.py", [JSON.stringify({ ...SETTINGS, steps: Math.max(STEPS, 5), threads: 2 })]);
}

async function main(): Promise<void> {
  const tfjs = await benchTfjs();
  const pytorch = benchPytorch();
  const ratio =
    pytorch.available === true
      ? (tfjs.targetTokensPerSecond as number) / (pytorch.targetTokensPerSecond as number)
      : null;
  const result = {
    benchmark: "training-throughput",
    description:
      "One optimizer step (forward, backward, clip at 1.0, AdamW) of a BERT2BERT with hidden 128, 2 layers, 2 heads, FFN 512, vocab 8000; batch 32, source 64, target 32 tokens, random weights and ids",
    settings: { ...SETTINGS, timedSteps: STEPS },
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    tfjs,
    pytorch,
    ratioTfjsOverPytorch: ratio,
    notes: [
      "Single runs on a shared 2-core machine vary by ±30%; compare the ratio measured in the same run.",
      "The tfjs step includes reading gradients into JS memory and AdamW there (the optimizer state stays off the wasm heap).",
    ],
  };
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "training.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    JSON.stringify({
      ratioTfjsOverPytorch: ratio,
      tfjs: tfjs.targetTokensPerSecond,
      pytorch: pytorch.targetTokensPerSecond,
    }),
  );
}

await main();
