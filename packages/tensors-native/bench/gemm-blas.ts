// Benchmark row of issue 20: the bundled GEMM (native/gemm.c) against OpenBLAS, at a BERT-base dense layer
// (512x768 · 768x3072, weights transposed as `linear` passes them) and 2048³, on 2 threads.
//
//   node --import tsx packages/tensors-native/bench/gemm-blas.ts [--threads 2] [--reps 7] [--rounds 3] [--out FILE]
//
// Writes benchmarks/results/gemm-blas.json (or FILE) with the run's provenance (commit, machine, load, date).
// Needs this package's own addon built with OpenBLAS (the default when it is installed); the bundled variant
// is built into a scratch folder. Prints one JSON line per shape with GFLOP/s of each, their ratio (target
// ≥ 0.7) and the load average: figures taken on a busy machine (load > 1.5 on 2 cores) are not comparable.
//
// Each build is timed in a process of its own, as a user runs only one of them: OpenBLAS's worker threads
// spin-wait for a while after each call, and in one process with both builds they kept a core busy while the
// bundled build's threads ran (interleaved in one process, the dense-layer shape measured 0.44 instead of the
// ratio measured apart). The rounds alternate the two builds' processes, so load from elsewhere hits both alike.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { probeAddon, buildInfoOf, type NativeAddon } from "../src/addon.js";
import { randomValues } from "../src/test-support/setup.js";
import { buildVariant, packageRoot } from "../src/test-support/variant.js";
import { runProvenance } from "@warmstart/test-utils";

const SHAPES = [
  { name: "512x768x3072", m: 512, k: 768, n: 3072, tb: true },
  { name: "2048x2048x2048", m: 2048, k: 2048, n: 2048, tb: false },
];

const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "2" },
    reps: { type: "string", default: "7" },
    rounds: { type: "string", default: "3" },
    out: { type: "string", default: join(packageRoot, "..", "..", "benchmarks", "results", "gemm-blas.json") },
    // Internal: time one build at one shape in this process and print the seconds of each repetition.
    child: { type: "string" },
    shape: { type: "string" },
  },
});

function positiveInteger(option: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${option}: expected a positive integer, got ${text}`);
  return value;
}
const threads = positiveInteger("threads", values.threads);
const reps = positiveInteger("reps", values.reps);
const rounds = positiveInteger("rounds", values.rounds);

function shapeNamed(name: string | undefined): (typeof SHAPES)[number] {
  const shape = SHAPES.find((s) => s.name === name);
  if (shape === undefined) throw new Error(`--shape: expected one of ${SHAPES.map((s) => s.name).join(", ")}`);
  return shape;
}

/** The child's side: load the addon found at `root`, warm up, and print each repetition's seconds. */
function timeHere(root: string, shape: (typeof SHAPES)[number]): void {
  const probe = probeAddon(root);
  if (!("addon" in probe)) throw new Error(`no addon at ${root}: ${probe.reason}`);
  const addon: NativeAddon = probe.addon;
  addon.setThreads(threads);
  const a = randomValues(shape.m * shape.k, 1);
  const b = randomValues(shape.k * shape.n, 2);
  const out = new Float32Array(shape.m * shape.n);
  const one = Int32Array.of(0);
  const run = () => addon.gemm(a, b, out, shape.m, shape.n, shape.k, false, shape.tb, one, one, null, 0, 0);
  run(); // warm-up: packing buffers, OpenBLAS's thread pool
  const seconds: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = process.hrtime.bigint();
    run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  process.stdout.write(`${JSON.stringify(seconds)}\n`);
}

/** Runs this script as a child that times the build at `root`; returns its repetitions' seconds. */
function timeApart(root: string, shape: (typeof SHAPES)[number]): number[] {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), "--child", root, "--shape", shape.name];
  args.push("--threads", String(threads), "--reps", String(reps));
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`timing ${root} at ${shape.name} failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim()) as number[];
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

if (values.child !== undefined) {
  timeHere(values.child, shapeNamed(values.shape));
} else {
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
    const bundledProbe = probeAddon(variant.root);
    const builds: [name: string, root: string][] = [
      [`openblas ${ownInfo.blasVersion} (${ownInfo.kernel})`, packageRoot],
      [`bundled (${buildInfoOf(bundledProbe).kernel})`, variant.root],
    ];
    for (const shape of SHAPES) {
      const times: number[][] = builds.map(() => []);
      for (let round = 0; round < rounds; round++) {
        // Alternate which build goes first, so a drift in load favours neither.
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) times[i]?.push(...timeApart((builds[i] as [string, string])[1], shape));
      }
      const flops = 2 * shape.m * shape.n * shape.k;
      const [blas = 0, bundled = 0] = times.map((t) => flops / median(t) / 1e9);
      rows.push({
        id: shape.name,
        shape: shape.name,
        transposeB: shape.tb,
        threads,
        reps: reps * rounds,
        openblasGflops: Number(blas.toFixed(1)),
        bundledGflops: Number(bundled.toFixed(1)),
        bundledOverOpenblas: Number((bundled / blas).toFixed(3)),
        loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
    const result = {
      benchmark: "gemm-blas",
      description:
        "The bundled GEMM (native/gemm.c) against OpenBLAS, each build timed in a process of its own (OpenBLAS's spin-waiting worker threads would otherwise take a core from the other build), rounds alternating the two, median of all repetitions",
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
}
