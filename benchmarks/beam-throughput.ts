// Batched beam-search throughput (sentences/s) of BERT2BERT-base, warmstart against real transformers on PyTorch
// 2.x from PyPI (the oracle's environment, oracle/README.md) on the same machine in the same run: the same random
// weights (saved here, loaded there), the same inputs and settings, batch 1, 8 and 32.
//   pnpm --filter @warmstart/benchmarks bench:beam-throughput      → results/beam-throughput.json
//   node --import tsx beam-throughput.ts [--batches 1,8,32] [--source-length 64] [--new-tokens 16] [--out FILE]
// Needs Python only for the baseline: without the oracle the result records why and keeps warmstart's side.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "@warmstart/tensors";
import { exactLengthBeamSettings, randomBert2BertBase } from "./bert2bert-base.js";
import { runProvenance } from "@warmstart/test-utils";
import { TORCH_ENV } from "./pytorch-baseline.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const batches = (arg("batches") ?? "1,8,32").split(",").map(Number);
const sourceLength = Number(arg("source-length") ?? 64);
const newTokens = Number(arg("new-tokens") ?? 16);
const numBeams = 4;
const outPath = resolve(arg("out") ?? join(here, "results", "beam-throughput.json"));
// Fewer timed repetitions for the big batches: one batch-32 call takes tens of seconds on 2 cores.
const repeatsOf = (batch: number): number => (batch <= 8 ? 2 : 1);

/** Seeded inputs: token ids in [1000, 30522), every row full (no padding), the same on both sides. */
function inputsOf(batch: number, seed: number): number[][] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return Array.from({ length: batch }, () => [
    101,
    ...Array.from({ length: sourceLength - 2 }, () => 1000 + Math.floor(next() * 29522)),
    102,
  ]);
}

const loadBefore = loadavg();
const date = new Date().toISOString();
const started = performance.now();
const choice = await initBackend();
const settings = exactLengthBeamSettings(numBeams, newTokens);
const scratch = mkdtempSync(join(tmpdir(), "beam-throughput-"));
const model = randomBert2BertBase();
const inputs = Object.fromEntries(batches.map((b) => [String(b), inputsOf(b, 7 + b)]));
const ours: Record<string, { seconds: number; allSeconds: number[]; firstSequence: number[] }> = {};
let pytorch: Record<string, unknown>;
try {
  await model.savePretrained(join(scratch, "model"));
  const warm = inputs[String(batches[0])]!.slice(0, 1);
  await model.generate(
    { inputIds: warm, attentionMask: warm.map((r) => r.map(() => 1)) },
    { ...settings, maxNewTokens: 2, minLength: 0 },
  );
  for (const batch of batches) {
    const ids = inputs[String(batch)]!;
    const times: number[] = [];
    let first: number[] = [];
    for (let r = 0; r < repeatsOf(batch); r++) {
      const t0 = performance.now();
      const out = await model.generate({ inputIds: ids, attentionMask: ids.map((row) => row.map(() => 1)) }, settings);
      times.push((performance.now() - t0) / 1000);
      first = out.sequences[0]!;
      if (out.sequences.length !== batch || first.length !== newTokens + 1) {
        throw new Error(
          `expected ${batch} sequences of ${newTokens + 1} tokens, got ${out.sequences.length} x ${first.length}`,
        );
      }
    }
    ours[String(batch)] = { seconds: Math.min(...times), allSeconds: times, firstSequence: first };
    console.error(`warmstart batch ${batch}: ${Math.min(...times).toFixed(2)} s`);
  }
  model.dispose();
  const request = join(scratch, "request.json");
  writeFileSync(
    request,
    JSON.stringify({
      dir: join(scratch, "model"),
      batches: inputs,
      settings,
      threads: 2,
      repeats: Object.fromEntries(batches.map((b) => [String(b), repeatsOf(b)])),
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, ...TORCH_ENV };
  delete env.OPENBLAS_CORETYPE;
  const run = spawnSync(join(repo, "oracle", "run"), ["v5", join(here, "pytorch", "beam_throughput.py"), request], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  pytorch =
    run.status === 0
      ? { available: true, ...(JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, unknown>) }
      : {
          available: false,
          reason: `oracle/run v5 beam_throughput.py exited ${run.status}: ${(run.stderr || String(run.error)).slice(-1500)}`,
        };
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const theirRuns = (pytorch.runs ?? {}) as Record<
  string,
  { seconds: number; all_seconds: number[]; first_sequence: number[] }
>;
const rows = batches.map((batch) => {
  const mine = ours[String(batch)]!;
  const theirs = theirRuns[String(batch)];
  return {
    batch,
    work: `BERT2BERT-base beam search, ${numBeams} beams, batch ${batch}, ${sourceLength}-token inputs, ${newTokens} new tokens (sentences/s)`,
    warmstart: batch / mine.seconds,
    transformers: theirs === undefined ? null : batch / theirs.seconds,
    ratio_vs_transformers: theirs === undefined ? null : theirs.seconds / mine.seconds,
    seconds: { warmstart: mine.allSeconds, transformers: theirs?.all_seconds ?? null },
    // Random weights: near-ties can order differently in float32, so this is reported, not required.
    sameFirstSequence:
      theirs === undefined ? null : JSON.stringify(theirs.first_sequence) === JSON.stringify(mine.firstSequence),
  };
});
const result = {
  benchmark: "beam-throughput",
  description:
    "Batched beam-search throughput of BERT2BERT-base (random weights, bert-base-uncased config): warmstart's generate() vs real transformers' EncoderDecoderModel.generate() (PyTorch from PyPI, sdpa, inference_mode, 2 threads) on the same folder, inputs and settings, in the same run",
  provenance: runProvenance(loadBefore, date, repo),
  command: ["node", "--import", "tsx", "beam-throughput.ts", ...process.argv.slice(2)].join(" "),
  runtimeSeconds: (performance.now() - started) / 1000,
  // provenance holds the CPU and the load before; this, what else the run saw.
  run: { totalMemoryBytes: totalmem(), node: process.version, loadavgAfter: loadavg() },
  backend: { name: choice.backend, skipped: choice.skipped },
  settings: {
    numBeams,
    sourceLength,
    newTokens,
    generate: settings,
    repeats: Object.fromEntries(batches.map((b) => [b, repeatsOf(b)])),
  },
  transformers: { ...pytorch, runs: undefined, env: TORCH_ENV },
  rows,
  notes: [
    "sentences/s = batch / (best wall time of one generate() call, encoder included); ratio_vs_transformers > 1 means faster than transformers.",
    "eos is banned (min_length above the new tokens), so every call generates exactly newTokens tokens per beam on both sides.",
    "Debian's python3-torch (1.13) cannot run transformers 5, so this benchmark has the PyPI baseline only; engine.json's beam-search row keeps the hand-written PyTorch 1.13 baseline.",
  ],
};
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(rows.map((r) => [r.batch, r.warmstart, r.transformers, r.ratio_vs_transformers])));
