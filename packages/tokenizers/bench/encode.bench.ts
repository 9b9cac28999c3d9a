// Tokens/second of `Tokenizer.batchEncode` against the raw `tokenizers` binding on the same
// tokenizer.json and the same sentences (column 1 of ../shared/data/wikisplit/*.tsv).
// Run: pnpm --filter @warmstart/tokenizers bench (writes benchmarks/results/tokenizers.json at the repo root)
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { sharedPath } from "@warmstart/test-utils";
import { Tokenizer as NativeTokenizer } from "tokenizers";
import { bertUncased, gpt2, scratchDir } from "../src/test-support/vocabs.js";
import type { Tokenizer } from "../src/tokenizer.js";
// The shape every results file records (apps/docs/src/figures.test.ts checks it).
import { runProvenance } from "@warmstart/test-utils";

const REPEATS = 5;
const BATCH_SIZES = [32, 10_000];
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

async function sentences(): Promise<string[]> {
  const dir = sharedPath("data", "wikisplit");
  if (dir === undefined) throw new Error("needs ../shared/data/wikisplit beside the repository");
  const files = (await readdir(dir)).filter((name) => name.endsWith(".tsv")).sort();
  const out: string[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), "utf8")).split("\n")) {
      if (line !== "") out.push(line.split("\t")[0] as string);
    }
  }
  return out;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What a caller of the raw binding does to get the same ids and mask out. */
async function rawPass(native: NativeTokenizer, chunks: string[][]): Promise<number> {
  let tokens = 0;
  for (const chunk of chunks) {
    const encodings = await native.encodeBatch(chunk);
    for (const encoding of encodings) {
      const ids = encoding.getIds();
      encoding.getAttentionMask();
      tokens += ids.length;
    }
  }
  return tokens;
}

async function oursPass(tokenizer: Tokenizer, chunks: string[][]): Promise<number> {
  let tokens = 0;
  for (const chunk of chunks) {
    const batch = await tokenizer.batchEncode(chunk);
    for (const ids of batch.inputIds) tokens += ids.length;
  }
  return tokens;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(name: string, tokenizer: Tokenizer, texts: string[]) {
  const dir = await scratchDir(`bench-${name}`);
  await tokenizer.save(dir);
  const native = NativeTokenizer.fromFile(join(dir, "tokenizer.json"));
  const results = [];
  for (const batchSize of BATCH_SIZES) {
    const chunks = batches(texts, batchSize);
    await rawPass(native, chunks);
    await oursPass(tokenizer, chunks);
    const raw: number[] = [];
    const ours: number[] = [];
    let tokens = 0;
    // Interleaved so that machine load drifts hit both sides alike.
    for (let r = 0; r < REPEATS; r++) {
      let start = performance.now();
      const rawTokens = await rawPass(native, chunks);
      raw.push(performance.now() - start);
      start = performance.now();
      tokens = await oursPass(tokenizer, chunks);
      ours.push(performance.now() - start);
      if (tokens !== rawTokens) throw new Error(`${name}: ours produced ${tokens} tokens, raw ${rawTokens}`);
    }
    const rawPerSec = tokens / (median(raw) / 1000);
    const oursPerSec = tokens / (median(ours) / 1000);
    results.push({
      tokenizer: name,
      batchSize,
      sentences: texts.length,
      tokens,
      rawMs: Number(median(raw).toFixed(1)),
      oursMs: Number(median(ours).toFixed(1)),
      rawTokensPerSecond: Math.round(rawPerSec),
      oursTokensPerSecond: Math.round(oursPerSec),
      overheadPercent: Number(((median(ours) / median(raw) - 1) * 100).toFixed(1)),
    });
  }
  return results;
}

const texts = await sentences();
const loadBefore = loadavg();
const date = new Date().toISOString();
const report = {
  provenance: runProvenance(loadBefore, date, repoRoot),
  benchmark: "tokenizers/encode",
  date,
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  repeats: REPEATS,
  statistic: "median",
  results: [
    ...(await measure("bert-base-uncased", await bertUncased(), texts)),
    ...(await measure("gpt2", await gpt2(), texts)),
  ],
};
const json = JSON.stringify(report, null, 2);
console.log(json);
const out = join(repoRoot, "benchmarks", "results", "tokenizers.json");
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${json}\n`);
