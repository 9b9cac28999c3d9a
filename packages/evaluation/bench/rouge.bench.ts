// ROUGE-1/2/L throughput on the 5,000 WikiSplit validation pairs (../shared/data/wikisplit/validation.tsv):
// the split side (column 2, sentences separated by " <::::> ") is scored as the prediction against the
// unsplit sentence (column 1) as the reference, with Hugging Face's defaults (no stemmer, bootstrap
// aggregator). Prints { pairs, seconds, pairsPerSecond, ... } and writes benchmarks/results/rouge.json
// at the repository root.
//   node --import tsx bench/rouge.bench.ts        (from packages/evaluation; or `pnpm bench` there)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sharedPath } from "@warmstart/test-utils";
import { rouge, type RougeType } from "../src/index.js";
// The shape every results file records (apps/docs/src/figures.test.ts checks it).
import { runProvenance } from "@warmstart/test-utils";

const tsv = sharedPath("data", "wikisplit", "validation.tsv");
if (tsv === undefined) {
  console.log("skipped: needs ../shared/data/wikisplit/validation.tsv beside the repository");
  process.exit(0);
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pnpm-workspace.yaml not found above the benchmark");
    dir = parent;
  }
  return dir;
}

const predictions: string[] = [];
const references: string[] = [];
for (const line of readFileSync(tsv, "utf8").split("\n")) {
  if (line === "") continue;
  const [unsplit, split] = line.split("\t");
  if (unsplit === undefined || split === undefined) throw new Error(`malformed line in ${tsv}: ${line.slice(0, 80)}`);
  predictions.push(split.replaceAll(" <::::> ", "\n"));
  references.push(unsplit);
}

const rougeTypes: RougeType[] = ["rouge1", "rouge2", "rougeL"];
// Warm the JIT on a slice first so the timing reflects steady-state speed.
rouge(predictions.slice(0, 500), references.slice(0, 500), { rougeTypes });

const loadBefore = loadavg();
const start = process.hrtime.bigint();
const result = rouge(predictions, references, { rougeTypes });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

const date = new Date().toISOString();
const report = {
  provenance: runProvenance(loadBefore, date, repoRoot()),
  pairs: predictions.length,
  seconds: Number(seconds.toFixed(4)),
  pairsPerSecond: Math.round(predictions.length / seconds),
  rougeTypes,
  useStemmer: false,
  useAggregator: true,
  midF: Object.fromEntries(rougeTypes.map((t) => [t, Number((result[t]?.mid.fmeasure ?? Number.NaN).toFixed(6))])),
  node: process.version,
  date,
};
console.log(JSON.stringify(report));
const out = join(repoRoot(), "benchmarks", "results", "rouge.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
