// Benchmark (not a test): the native backend against wasm and PyTorch in one run, on the rows of issue 12 it
// serves: sgemm 512x768x3072 (plain, transposed, batched attention shape) and a BERT-base encoder forward
// (batch 8, seq 128, random weights), plus a per-kernel profile of the native forward. Writes
// benchmarks/results/engine-native.json.
//
//   pnpm turbo run build --filter @warmstart/encoders... --filter @warmstart/tensors-native
//   node --import tsx packages/tensors-native/bench/engine.ts
//
// WARMSTART_BENCH_SKIP_WASM_BERT=1 leaves out the wasm encoder row (minutes on a loaded machine).
// The PyTorch side runs with the strongest settings of research/engine-facts.md: 2 threads,
// OMP_WAIT_POLICY=PASSIVE and the MALLOC_* variables; OPENBLAS_CORETYPE is left as the environment has it and
// recorded, with the OpenBLAS core each side actually ran.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { nativeInfo, registerNativeBackend } from "../src/index.js";
import { timeKernels } from "./kernel-timer.js";
import { initBackend, tf } from "../../tensors/dist/index.js";
import { BertModel, bertConfigFromHF } from "../../encoders/dist/index.js";
import type { Tensor } from "@tensorflow/tfjs";

const root = join(import.meta.dirname, "..", "..", "..");
const PYTHON = process.env.WARMSTART_PYTHON ?? "/usr/bin/python3";
const TORCH_ENV = {
  OMP_WAIT_POLICY: "PASSIVE",
  MALLOC_MMAP_THRESHOLD_: "33554432",
  MALLOC_TRIM_THRESHOLD_: "4294967296",
  MALLOC_TOP_PAD_: "536870912",
};
const REPS = 5;
const NOTES = [
  "Shared 2-core machine under load from other work: absolute figures vary several-fold between runs; the sides run one after another (native, wasm, PyTorch), so a load change during the run moves the ratios. Compare ratios, and several runs.",
  "OPENBLAS_CORETYPE is recorded as found (unset here, so both native and PyTorch ran OpenBLAS's SkylakeX AVX-512 kernels); with OPENBLAS_CORETYPE=Haswell both would use AVX2 kernels.",
  "native.profile: wall time per tfjs kernel in one native forward (timed wrappers around every registered kernel). Time outside BatchMatMul is memory traffic the model code could avoid on this backend: Transpose is mostly `linear` transposing each [out,in] weight per call (transposeB is free natively), Unpack/Pack and many small BatchMatMuls come from per-head attention, and Add/Multiply/Mean/Square/Erf are the separate bias, GELU, residual and LayerNorm passes.",
];
const BATCH = 8;
const SEQ = 128;

interface GemmCase {
  name: string;
  a: number[];
  b: number[];
  transposeB: boolean;
  flops: number;
}

const GEMMS: GemmCase[] = [
  { name: "sgemm 512x768x3072", a: [512, 768], b: [768, 3072], transposeB: false, flops: 2 * 512 * 768 * 3072 },
  {
    name: "sgemm 512x768x3072, transposeB",
    a: [512, 768],
    b: [3072, 768],
    transposeB: true,
    flops: 2 * 512 * 768 * 3072,
  },
  {
    name: "batched [48,512,64] x [48,64,512]",
    a: [48, 512, 64],
    b: [48, 64, 512],
    transposeB: false,
    flops: 2 * 48 * 512 * 64 * 512,
  },
];

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timeIt(fn: () => void, reps: number): number {
  fn();
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return median(seconds);
}

function gemmRows(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of GEMMS) {
    const a = tf.randomNormal(c.a);
    const b = tf.randomNormal(c.b);
    const seconds = timeIt(() => tf.tidy(() => void tf.matMul(a, b, false, c.transposeB).dataSync()), REPS);
    out[c.name] = c.flops / seconds / 1e9;
    tf.dispose([a, b]);
  }
  return out;
}

function ids(): { inputIds: number[][]; attentionMask: number[][] } {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const inputIds = Array.from({ length: BATCH }, () => Array.from({ length: SEQ }, () => 1000 + (next() % 29000)));
  return { inputIds, attentionMask: inputIds.map((row) => row.map(() => 1)) };
}

function bertForward(
  iterations: number,
  profile: boolean,
): { tokensPerSecond: number; seconds: number[]; kernels?: ReturnType<ReturnType<typeof timeKernels>["report"]> } {
  const model = new BertModel(bertConfigFromHF({ model_type: "bert" }), { seed: 0 });
  const input = ids();
  const run = () => {
    const out = model.forward(input);
    out.lastHiddenState.dataSync();
    tf.dispose([out.lastHiddenState, out.poolerOutput as Tensor]);
  };
  run(); // warm-up: first-use kernel setup (and XNNPACK weight packing on wasm)
  const seconds: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    run();
    seconds.push((performance.now() - start) / 1000);
  }
  let kernels;
  if (profile) {
    const timer = timeKernels(tf as never, tf.getBackend());
    run();
    kernels = timer.report().slice(0, 15);
    timer.restore();
  }
  model.dispose();
  return { tokensPerSecond: (BATCH * SEQ) / median(seconds), seconds, kernels };
}

function torch(): Record<string, unknown> {
  const env = { ...process.env, ...TORCH_ENV };
  const gemm = spawnSync(
    PYTHON,
    [join(import.meta.dirname, "torch_engine.py"), JSON.stringify({ reps: REPS, threads: 2, cases: GEMMS })],
    { env, encoding: "utf8" },
  );
  if (gemm.status !== 0) {
    return { available: false, reason: `${PYTHON} torch_engine.py exited ${gemm.status}: ${gemm.stderr.slice(-1500)}` };
  }
  const settings = { seqs: [SEQ], batch: BATCH, iterations: { [String(SEQ)]: 3 }, threads: 2 };
  const bert = spawnSync(
    PYTHON,
    [join(root, "benchmarks", "pytorch", "encoder_forward.py"), JSON.stringify(settings)],
    { env, encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (bert.status !== 0) {
    return { available: false, reason: `encoder_forward.py exited ${bert.status}: ${bert.stderr.slice(-1500)}` };
  }
  return {
    available: true,
    python: PYTHON,
    gemm: JSON.parse(gemm.stdout) as unknown,
    bert: JSON.parse(bert.stdout) as unknown,
  };
}

const loadBefore = loadavg()[0];
registerNativeBackend(tf);
await tf.setBackend("native");
const native = { info: nativeInfo(), gemm: gemmRows(), bert: bertForward(3, true) };
console.error("native", JSON.stringify({ gemm: native.gemm, bert: native.bert.tokensPerSecond }));

const wasmChoice = await initBackend({ backend: "wasm" });
const wasm = {
  simd: wasmChoice.wasmSimd,
  gemm: gemmRows(),
  bert: process.env.WARMSTART_BENCH_SKIP_WASM_BERT === "1" ? null : bertForward(1, false),
};
console.error("wasm", JSON.stringify({ gemm: wasm.gemm, bert: wasm.bert?.tokensPerSecond }));

const pytorch = torch();
const torchGemm = new Map(
  ((pytorch.gemm as { rows?: { name: string; gflops: number }[] } | undefined)?.rows ?? []).map((r) => [
    r.name,
    r.gflops,
  ]),
);
const torchBert = ((pytorch.bert as { runs?: { tokensPerSecond: number }[] } | undefined)?.runs ?? [])[0]
  ?.tokensPerSecond;

const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? null : x / y);
const rows = [
  ...GEMMS.map((c) => ({
    work: c.name,
    unit: "GFLOP/s",
    native: native.gemm[c.name],
    wasm: wasm.gemm[c.name],
    pytorch: torchGemm.get(c.name) ?? null,
    ratio_vs_pytorch: ratio(native.gemm[c.name], torchGemm.get(c.name)),
    wasm_ratio_vs_pytorch: ratio(wasm.gemm[c.name], torchGemm.get(c.name)),
  })),
  {
    work: `BERT-base encoder forward, batch ${BATCH}, seq ${SEQ}`,
    unit: "tokens/s",
    native: native.bert.tokensPerSecond,
    wasm: wasm.bert?.tokensPerSecond ?? null,
    pytorch: torchBert ?? null,
    ratio_vs_pytorch: ratio(native.bert.tokensPerSecond, torchBert),
    wasm_ratio_vs_pytorch: ratio(wasm.bert?.tokensPerSecond, torchBert),
  },
];
const result = {
  benchmark: "engine-native",
  description:
    "Native backend (@warmstart/tensors-native: tfjs cpu backend + N-API kernels over OpenBLAS) vs tfjs-wasm vs PyTorch, same run",
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverage1mBefore: loadBefore,
    loadAverage1mAfter: loadavg()[0],
  },
  settings: {
    reps: REPS,
    torchEnv: TORCH_ENV,
    torchThreads: 2,
    nativeThreads: native.info.threads,
    openblasCoretypeEnv: process.env.OPENBLAS_CORETYPE ?? null,
  },
  rows,
  native: {
    blasCore: native.info.blasCore,
    blasConfig: native.info.blasConfig,
    bertSeconds: native.bert.seconds,
    profile: native.bert.kernels,
  },
  wasm: { simd: wasm.simd, bertSeconds: wasm.bert?.seconds ?? null },
  pytorch,
  notes: NOTES,
};
mkdirSync(join(root, "benchmarks", "results"), { recursive: true });
writeFileSync(join(root, "benchmarks", "results", "engine-native.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(rows.map((r) => [r.work, r.native, r.wasm, r.pytorch, r.ratio_vs_pytorch])));
