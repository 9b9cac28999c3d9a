// Benchmark (not a test): beam search with 4 beams on a BERT2BERT-base-sized encoder-decoder with random weights,
// 128 and 64 new tokens from a 512-token input, in tfjs (@warmstart/composer) and in PyTorch
// (benchmarks/pytorch/generation.py, its own key/value cache) in the same run. Reports ms per generated token and time(128) / time(64): with a working
// cache each step costs about the same, so the ratio is about 2 (without one it grows towards 4).
//
// Run from the repository root:
//   pnpm turbo run build --filter @warmstart/benchmarks...
//   pnpm --filter @warmstart/benchmarks exec tsx generation.ts [--source-length 512] [--new-tokens 128,64] [--skip-pytorch] [--out FILE]
// WARMSTART_PYTHON picks the interpreter with torch (default /usr/bin/python3, Debian's python3-torch).
// Every eos is banned (minLength above maxLength) so that every run generates exactly the asked number of tokens.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EncoderDecoderConfig, EncoderDecoderModel, baseConfig } from "@warmstart/composer";
import { initBackend, tf } from "@warmstart/tensors";
import { runPytorchBaseline, type BaselineResult } from "./pytorch-baseline.js";

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const sourceLength = Number(arg("source-length", "512"));
const newTokenCounts = arg("new-tokens", "128,64").split(",").map(Number);
const beams = 4;
const outPath = resolve(arg("out", resolve(here, "results/generation.json")));
const skipPytorch = process.argv.includes("--skip-pytorch");

async function runTfjs(): Promise<{ backend: string; runs: Record<string, { seconds: number; msPerToken: number }> }> {
  const choice = await initBackend();
  const bert = baseConfig("bert-base-uncased");
  const config = EncoderDecoderConfig.fromSubConfigs(
    bert,
    { ...bert, is_decoder: true, add_cross_attention: true },
    { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 },
  );
  const model = EncoderDecoderModel.fromConfig(config, { seed: 0 });
  let state = 12345;
  const inputIds = [Array.from({ length: sourceLength }, () => 1000 + ((state = (state * 1103515245 + 12345) % 2 ** 31) % 29000))];
  const attentionMask = [inputIds[0]!.map(() => 1)];
  const settings = (n: number) => ({
    numBeams: beams,
    maxNewTokens: n,
    minLength: n + 2,
    earlyStopping: true as const,
    decoderStartTokenId: 101,
    eosTokenId: 102,
    padTokenId: 0,
  });
  await model.generate({ inputIds, attentionMask }, settings(2)); // warm-up: kernels, packed weights
  const runs: Record<string, { seconds: number; msPerToken: number }> = {};
  for (const n of newTokenCounts) {
    const tensorsBefore = tf.memory().numTensors;
    const start = performance.now();
    const out = await model.generate({ inputIds, attentionMask }, settings(n));
    const seconds = (performance.now() - start) / 1000;
    if (out.sequences[0]!.length !== n + 1) throw new Error(`expected ${n + 1} tokens, got ${out.sequences[0]!.length}`);
    if (tf.memory().numTensors !== tensorsBefore) throw new Error("generate leaked tensors");
    runs[String(n)] = { seconds, msPerToken: (1000 * seconds) / n };
    console.error(`tfjs ${choice.backend}: ${n} new tokens in ${seconds.toFixed(1)} s`);
  }
  model.dispose();
  return { backend: choice.backend, runs };
}

function runPytorch(): BaselineResult | { skipped: string } {
  if (skipPytorch) return { skipped: "--skip-pytorch" };
  return runPytorchBaseline("generation.py", [
    "--source-length",
    String(sourceLength),
    "--beams",
    String(beams),
    "--new-tokens",
    ...newTokenCounts.map(String),
  ]);
}

// Taken before the run: during it, the benchmark's own threads raise the load average by themselves.
const loadBefore = loadavg();
const tfjs = await runTfjs();
const pytorch = runPytorch() as { runs?: Record<string, { seconds: number; ms_per_token: number }> };
const [big, small] = newTokenCounts;
const ratio = (runs: Record<string, { seconds: number }> | undefined) =>
  runs !== undefined && big !== undefined && small !== undefined && runs[big] && runs[small]
    ? runs[String(big)]!.seconds / runs[String(small)]!.seconds
    : null;
const overloaded = loadBefore[0]! > 1;
const result = {
  benchmark: "beam search generation, BERT2BERT-base-sized config (bert-base-uncased on both sides), random weights",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBeforeRun: loadBefore },
  settings: { beams, sourceLength, newTokens: newTokenCounts, eos: "banned (every run generates exactly newTokens)" },
  note:
    sourceLength === 512 && big === 128 && small === 64
      ? "full run as specified (512-token input, 128 and 64 new tokens)"
      : `shortened run (${sourceLength}-token input, ${newTokenCounts.join(" and ")} new tokens) instead of 512 / 128 and 64: ` +
        "the timeRatio includes the encoder pass, which weighs more in a short run, so it sits below 2 even with a working cache",
  ...(overloaded
    ? {
        warning:
          "the machine was busy before the run (1-minute load average above 1): absolute timings and both " +
          "timeRatios are dominated by other processes; rerun on a quiet machine before drawing conclusions",
      }
    : {}),
  tfjs: { ...tfjs, timeRatio: ratio(tfjs.runs) },
  pytorch: { ...pytorch, timeRatio: ratio(pytorch.runs) },
  tfjsOverPytorchMsPerToken:
    pytorch.runs !== undefined && big !== undefined && pytorch.runs[String(big)]
      ? tfjs.runs[String(big)]!.msPerToken / pytorch.runs[String(big)]!.ms_per_token
      : null,
};
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
