// Benchmark row of issue 20: the bundled GEMM (native/gemm.c) against OpenBLAS, at a BERT-base dense layer
// (512x768 · 768x3072, weights transposed as `linear` passes them) and 2048³, on 2 threads.
//
//   node --import tsx packages/tensors-native/bench/gemm-blas.ts [--threads 2] [--reps 7] [--out FILE]
//
// Writes benchmarks/results/gemm-blas.json (or FILE) with the run's provenance (commit, machine, load, date).
// Needs this package's own addon built with OpenBLAS (the default when it is installed); the bundled variant
// is built into a scratch folder. Prints one JSON line per shape with GFLOP/s of each, their ratio (target
// ≥ 0.7) and the load average: figures taken on a busy machine (load > 1.5 on 2 cores) are not comparable.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { probeAddon, buildInfoOf, type NativeAddon } from "../src/addon.js";
import { randomValues } from "../src/test-support/setup.js";
import { buildVariant, packageRoot } from "../src/test-support/variant.js";
import { runProvenance } from "../../../benchmarks/provenance.js";

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "2" },
    reps: { type: "string", default: "7" },
    out: { type: "string", default: join(packageRoot, "..", "..", "benchmarks", "results", "gemm-blas.json") },
  },
});
const threads = Number(values.threads);
const reps = Number(values.reps);
if (!Number.isInteger(threads) || threads < 1) {
  throw new Error(`--threads: expected a positive integer, got ${values.threads}`);
}
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${values.reps}`);

const loadBefore = loadavg();
const date = new Date().toISOString();
const rows: Record<string, unknown>[] = [];
const own = probeAddon(packageRoot);
const ownInfo = buildInfoOf(own);
if (!("addon" in own) || !ownInfo.available || ownInfo.blas !== "openblas") {
  throw new Error(
    `the package's addon must be the OpenBLAS build to compare against (it is: ${JSON.stringify(ownInfo)}); rebuild with WARMSTART_NATIVE_BLAS=openblas`,
  );
}
const variant = buildVariant("bundled");
try {
  const bundled = variant.load();
  const builds: [string, NativeAddon][] = [
    [`openblas ${ownInfo.blasVersion} (${ownInfo.kernel})`, own.addon],
    [`bundled (${bundled.buildInfo().kernel})`, bundled],
  ];
  for (const [, addon] of builds) addon.setThreads(threads);

  const shapes = [
    { name: "512x768x3072", m: 512, k: 768, n: 3072, tb: true },
    { name: "2048x2048x2048", m: 2048, k: 2048, n: 2048, tb: false },
  ];
  for (const s of shapes) {
    const a = randomValues(s.m * s.k, 1);
    const b = randomValues(s.k * s.n, 2);
    const out = new Float32Array(s.m * s.n);
    const one = Int32Array.of(0);
    const run = (addon: NativeAddon) => addon.gemm(a, b, out, s.m, s.n, s.k, false, s.tb, one, one, null, 0, 0);
    const times: number[][] = builds.map(() => []);
    for (const [, addon] of builds) run(addon); // warm-up: packing buffers, OpenBLAS's thread pool
    // Interleaved, so a burst of load from another process hits both builds alike; the median of each is kept.
    for (let r = 0; r < reps; r++) {
      builds.forEach(([, addon], i) => {
        const start = process.hrtime.bigint();
        run(addon);
        times[i]?.push(Number(process.hrtime.bigint() - start) / 1e9);
      });
    }
    const gflops = times.map((t) => {
      const sorted = [...t].sort((x, y) => x - y);
      return (2 * s.m * s.n * s.k) / (sorted[Math.floor(sorted.length / 2)] as number) / 1e9;
    });
    const [blas = 0, own_ = 0] = gflops;
    rows.push({
      id: s.name,
      shape: s.name,
      transposeB: s.tb,
      threads,
      reps,
      openblasGflops: Number(blas.toFixed(1)),
      bundledGflops: Number(own_.toFixed(1)),
      bundledOverOpenblas: Number((own_ / blas).toFixed(3)),
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  const result = {
    benchmark: "gemm-blas",
    description:
      "The bundled GEMM (native/gemm.c) against OpenBLAS in the same process, interleaved, median of the repetitions",
    provenance: runProvenance(loadBefore, date, packageRoot),
    builds: builds.map(([name]) => name),
    target: "bundledOverOpenblas >= 0.7 on 2 threads (issue 20)",
    rows,
    loadavgAfter: loadavg(),
  };
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(variant.root, { recursive: true, force: true });
}
