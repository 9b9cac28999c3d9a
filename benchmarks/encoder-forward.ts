// Benchmark (not a test): BERT-base encoder forward throughput of @warmstart/encoders against PyTorch on the same
// config in the same run. Writes benchmarks/results/encoder-forward.json.
//
//   pnpm turbo run build --filter @warmstart/encoders...
//   pnpm --filter @warmstart/benchmarks exec tsx encoder-forward.ts            (WARMSTART_BENCH_SEQS=128 for a quick run)
//
// The PyTorch side runs benchmarks/pytorch/encoder_forward.py with the first interpreter that imports torch
// (WARMSTART_PYTHON, /usr/bin/python3, python3); nothing is installed. Without torch the result says so.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BertModel, bertConfigFromHF } from "@warmstart/encoders";
import { initBackend, tf } from "@warmstart/tensors";
import { runPytorchBaseline, type BaselineResult } from "./pytorch-baseline.js";

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 8;
const SEQS = (process.env.WARMSTART_BENCH_SEQS ?? "128,512").split(",").map(Number);
// Few iterations: one forward at seq 512 takes tens of seconds on the wasm backend.
const ITERATIONS: Record<number, number> = { 128: 2, 512: 1 };


// What a profile of this forward shows when the ratio stays under the target (see research/engine-facts.md).
const LIMITED_BY: Record<string, string> = {
  wasm:
    "About 75% of the forward is dense matrix products (linear), and single-threaded wasm sgemm reaches ~21 GFLOP/s " +
    "against ~180-330 for 2-thread OpenBLAS: no graph change closes that. The opt-in native backend " +
    "(WARMSTART_BACKEND=native, @warmstart/tensors-native) runs the products on OpenBLAS; see results/engine-native.json.",
  native:
    "Products run on OpenBLAS; the rest of the time goes to Transpose of [out, in] weights inside linear, per-head " +
    "attention products and separate bias / GELU / residual / LayerNorm passes on the cpu backend's JS kernels.",
};

interface Run {
  seq: number;
  batch: number;
  iterations: number;
  seconds: number[];
  secondsMedian: number;
  tokensPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function randomIds(batch: number, seq: number, vocab: number, seed: number): number[][] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: batch }, () => Array.from({ length: seq }, () => 1000 + (next() % (vocab - 1000))));
}

async function benchTfjs(): Promise<{ backend: string; wasmSimd: boolean; runs: Run[]; peakTensorBytes: Record<string, number>; parameters: number }> {
  const choice = await initBackend();
  const config = bertConfigFromHF({ model_type: "bert" }); // Hugging Face defaults = bert-base-uncased
  const model = new BertModel(config, { seed: 0 });
  const runs: Run[] = [];
  const peakTensorBytes: Record<string, number> = {};
  // Warm-up on a short input: first-call kernel setup and XNNPACK's packing of every weight happen here.
  tf.dispose(Object.values(model.forward({ inputIds: randomIds(1, 16, config.vocabSize, 1) })) as tf.Tensor[]);
  for (const seq of SEQS) {
    const inputIds = randomIds(BATCH, seq, config.vocabSize, seq);
    const attentionMask = inputIds.map((row) => row.map(() => 1));
    const seconds: number[] = [];
    // The first measured forward runs under tf.profile for the tensor-memory high-water mark (its per-kernel
    // bookkeeping is negligible next to products of this size); a forward at seq 512 takes minutes, so few runs.
    let start = performance.now();
    const profile = await tf.profile(() => {
      const out = model.forward({ inputIds, attentionMask });
      return [out.lastHiddenState, out.poolerOutput as tf.Tensor];
    });
    seconds.push((performance.now() - start) / 1000);
    tf.dispose(profile.result as tf.Tensor[]);
    peakTensorBytes[String(seq)] = profile.peakBytes;
    for (let i = 1; i < (ITERATIONS[seq] ?? 1); i++) {
      start = performance.now();
      const out = model.forward({ inputIds, attentionMask });
      out.lastHiddenState.dataSync();
      seconds.push((performance.now() - start) / 1000);
      tf.dispose([out.lastHiddenState, out.poolerOutput as tf.Tensor]);
    }
    const m = median(seconds);
    runs.push({ seq, batch: BATCH, iterations: seconds.length, seconds, secondsMedian: m, tokensPerSecond: (BATCH * seq) / m });
    console.error(`tfjs ${choice.backend} seq ${seq}: ${((BATCH * seq) / m).toFixed(1)} tokens/s`);
  }
  const parameters = model.numParameters();
  model.dispose();
  return { backend: choice.backend, wasmSimd: choice.wasmSimd, runs, peakTensorBytes, parameters };
}

function benchPytorch(): BaselineResult {
  const settings = { seqs: SEQS, batch: BATCH, iterations: Object.fromEntries(SEQS.map((s) => [String(s), ITERATIONS[s] ?? 1])), threads: 2 };
  return runPytorchBaseline("encoder_forward.py", [JSON.stringify(settings)]);
}

async function main(): Promise<void> {
  const tfjs = await benchTfjs();
  const tfjsMaxRssBytes = process.resourceUsage().maxRSS * 1024;
  const pytorch = benchPytorch();
  const torchRuns = (pytorch.runs ?? []) as Run[];
  const ratio = Object.fromEntries(
    tfjs.runs.map((run) => {
      const torch = torchRuns.find((r) => r.seq === run.seq);
      return [String(run.seq), torch === undefined ? null : run.tokensPerSecond / torch.tokensPerSecond];
    }),
  );
  const result = {
    benchmark: "encoder-forward",
    description: "BERT-base-sized BertModel forward (12 layers, hidden 768, 12 heads, FFN 3072, random weights), batch 8, no padding",
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    tfjs: { ...tfjs, maxRssBytes: tfjsMaxRssBytes },
    pytorch,
    ratioTfjsOverPytorch: ratio,
    target: "at least 0.5x PyTorch",
    limitedBy: LIMITED_BY[tfjs.backend] ?? null,
    notes: [
      "Single runs on a shared 2-core machine vary by ±30%; compare the ratio, not absolute numbers across runs.",
      "tfjs peakTensorBytes is tf.profile's high-water mark of live tensor memory during one forward; maxRssBytes is the process's peak RSS (wasm heap included).",
    ],
  };
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "encoder-forward.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ ratioTfjsOverPytorch: ratio, tfjs: tfjs.runs.map((r) => [r.seq, r.tokensPerSecond]), pytorch: torchRuns.map((r) => [r.seq, r.tokensPerSecond]) }));
}

await main();
