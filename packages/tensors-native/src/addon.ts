import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NativeBackendError } from "./errors.js";

/** The functions of build/Release/warmstart_native.node (native/warmstart_native.c documents each). */
export interface NativeAddon {
  gemm(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIndex: Int32Array,
    bIndex: Int32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  softmax(x: Float32Array, out: Float32Array, cols: number): void;
  transpose(x: Float32Array, out: Float32Array, shape: Int32Array, perm: Int32Array): void;
  unary(x: Float32Array, out: Float32Array, op: number): void;
  binary(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
    op: number,
  ): void;
  reduce(x: Float32Array, out: Float32Array, cols: number, op: number): void;
  reduceMid(x: Float32Array, out: Float32Array, outer: number, r: number, inner: number, op: number): void;
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    out: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    cols: number,
    eps: number,
  ): void;
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    cols: number,
  ): void;
  gelu(x: Float32Array, out: Float32Array): void;
  maskedSoftmax(
    x: Float32Array,
    mask: Float32Array | null,
    out: Float32Array,
    cols: number,
    dims: Int32Array,
    maskStrides: Int32Array,
    scale: number,
  ): void;
  softmaxGrad(y: Float32Array, dy: Float32Array, out: Float32Array, cols: number, scale: number): void;
  geluGrad(x: Float32Array, dy: Float32Array, out: Float32Array): void;
  softmaxCrossEntropy(
    x: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    lse: Float32Array,
    loss: Float32Array,
    cols: number,
  ): void;
  softmaxCrossEntropyGrad(
    x: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    lse: Float32Array,
    out: Float32Array,
    cols: number,
    dy: number,
  ): void;
  adamw(
    param: Float32Array,
    grad: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    out: Float32Array,
    beta1: number,
    beta2: number,
    decay: number,
    stepSize: number,
    sqrtCorrection2: number,
    eps: number,
  ): void;
  sumSquares(x: Float32Array): number;
  scaleInPlace(x: Float32Array, factor: number): void;
  setThreads(threads: number): void;
  info(): { blasCore: string; blasConfig: string; blasThreads: number; threads: number };
  buildInfo(): { blas: "openblas" | "bundled"; kernel: string; config: string; skinnyKernel: string };
}

/** Computed on use, not at import: browser bundles stub node:url, and the model ops import this package's names. */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..");
}

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/** Why the install-time build did not produce the addon, from the record scripts/install.mjs leaves. */
function buildRecord(root: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(join(root, "native-build.json"), "utf8")) as {
      built?: boolean;
      reason?: string;
    };
    return record.built === true ? undefined : record.reason;
  } catch {
    return undefined;
  }
}

/** Thread count for OpenBLAS and the native loops: OPENBLAS_NUM_THREADS when it is a positive integer, else every core. */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.OPENBLAS_NUM_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism();
}

/** Loads the addon of the package at `root`, or says why it cannot (the install record's reason first). */
export function probeAddon(root: string): { addon: NativeAddon } | { reason: string } {
  const path = join(root, "build", "Release", "warmstart_native.node");
  try {
    return { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (error) {
    const why = buildRecord(root);
    return {
      reason:
        why !== undefined
          ? `the native addon was not built at install: ${why} (rebuild with \`pnpm --filter @warmstart/tensors-native build:native\`)`
          : `${path} could not be loaded: ${(error as Error).message}`,
    };
  }
}

function load(): { addon: NativeAddon } | { reason: string } {
  if (loaded === undefined) {
    loaded = probeAddon(packageRoot());
    if ("addon" in loaded) loaded.addon.setThreads(defaultThreads());
  }
  return loaded;
}

/** Whether the native addon is built and loads on this machine. */
export function isAvailable(): boolean {
  return "addon" in load();
}

/** Why the native backend is unavailable, or undefined when it is available. */
export function unavailableReason(): string | undefined {
  const state = load();
  return "reason" in state ? state.reason : undefined;
}

/** The loaded addon; throws NativeBackendError("NATIVE_UNAVAILABLE") with the reason otherwise. */
export function addon(): NativeAddon {
  const state = load();
  if ("reason" in state) throw new NativeBackendError("NATIVE_UNAVAILABLE", state.reason);
  return state.addon;
}

/** Sets how many threads OpenBLAS and the native elementwise loops use. */
export function setNativeThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new NativeBackendError("BAD_THREADS", `setNativeThreads: expected a positive integer, got ${threads}`);
  }
  addon().setThreads(threads);
}

/** Which matrix product the addon was built with, or why there is no addon (never throws: for `warmstart doctor`). */
export type NativeBuildInfo =
  | {
      available: true;
      /** "openblas" when OpenBLAS was found at install, "bundled" for the GEMM of native/gemm.c. */
      blas: "openblas" | "bundled";
      /** OpenBLAS's version (e.g. "0.3.21"); null for the bundled GEMM. */
      blasVersion: string | null;
      /** OpenBLAS's core (e.g. "Haswell", "SkylakeX") or the bundled micro-kernel ("avx512", "avx2", "neon", "generic"). */
      kernel: string;
      /** OpenBLAS's build line, or the bundled kernel and its register tile. */
      config: string;
      /**
       * The kernel of products of at most 8 rows with a transposed matrix (a decoding step's dense layers, which
       * the addon runs itself in either build): "avx512", "avx2" or "generic".
       */
      skinnyKernel: string;
    }
  | { available: false; reason: string };

/** The build info of a probed addon: this package's own, or a variant the tests and benchmarks build elsewhere. */
export function buildInfoOf(probe: { addon: NativeAddon } | { reason: string }): NativeBuildInfo {
  if ("reason" in probe) return { available: false, reason: probe.reason };
  const info = probe.addon.buildInfo();
  const version = info.blas === "openblas" ? (/^OpenBLAS (\S+)/.exec(info.config)?.[1] ?? null) : null;
  return {
    available: true,
    blas: info.blas,
    blasVersion: version,
    kernel: info.kernel,
    config: info.config,
    skinnyKernel: info.skinnyKernel,
  };
}

/** What the native backend was built with: OpenBLAS (and its version and core) or the bundled GEMM and its kernel. */
export function nativeBuildInfo(): NativeBuildInfo {
  return buildInfoOf(load());
}

/** What the addon runs on: OpenBLAS's kernel family (e.g. "SkylakeX", or "Haswell" under OPENBLAS_CORETYPE) and thread counts. */
export function nativeInfo(): ReturnType<NativeAddon["info"]> {
  return addon().info();
}
