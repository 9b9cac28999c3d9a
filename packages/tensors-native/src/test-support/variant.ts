// Builds the addon a second time, with a chosen BLAS, into a scratch copy of the package's install inputs, so
// tests and benchmarks can load the bundled-GEMM build next to the default (OpenBLAS) one in one process.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { probeAddon, type NativeAddon } from "../addon.js";

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** node-gyp as pnpm/npm lifecycle scripts name it, else the one npm bundles next to this node. */
export function findNodeGyp(): string | undefined {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const bundled = join(
    dirname(process.execPath),
    "..",
    "lib",
    "node_modules",
    "npm",
    "node_modules",
    "node-gyp",
    "bin",
    "node-gyp.js",
  );
  return existsSync(bundled) ? bundled : undefined;
}

/** Why a variant cannot be built here (no compiler or node-gyp), or false. */
export function variantSkip(): string | false {
  if (spawnSync("sh", ["-c", "command -v cc"]).status !== 0) return "no C compiler";
  return findNodeGyp() === undefined ? "node-gyp not found (npm_config_node_gyp unset, no npm next to node)" : false;
}

export interface Variant {
  root: string;
  record: { built: boolean; reason: string; blas?: string; kernel?: string };
  /** Loads the variant's addon; `gemmKernel` sets WARMSTART_GEMM_KERNEL for that load (a fresh copy of the file). */
  load(gemmKernel?: string): NativeAddon;
}

/** Runs scripts/install.mjs with WARMSTART_NATIVE_BLAS=`blas` in a scratch copy (or in `into`). */
export function buildVariant(blas: "bundled" | "openblas" | "auto", into?: string): Variant {
  const root = into ?? mkdtempSync(join(tmpdir(), `tensors-native-${blas}-`));
  mkdirSync(join(root, "scripts"), { recursive: true });
  copyFileSync(join(packageRoot, "scripts", "install.mjs"), join(root, "scripts", "install.mjs"));
  copyFileSync(join(packageRoot, "binding.gyp"), join(root, "binding.gyp"));
  cpSync(join(packageRoot, "native"), join(root, "native"), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, WARMSTART_NATIVE_BLAS: blas, WARMSTART_NATIVE_SKIP_BUILD: "" };
  const gyp = findNodeGyp();
  if (gyp !== undefined) env.npm_config_node_gyp = gyp;
  delete env.WARMSTART_GEMM_KERNEL;
  const result = spawnSync(process.execPath, [join(root, "scripts", "install.mjs")], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`install.mjs exited ${result.status}: ${result.stderr}`);
  const record = JSON.parse(readFileSync(join(root, "native-build.json"), "utf8")) as Variant["record"];
  return {
    root,
    record,
    load(gemmKernel?: string): NativeAddon {
      if (gemmKernel === undefined) {
        const probe = probeAddon(root);
        if ("reason" in probe) throw new Error(probe.reason);
        return probe.addon;
      }
      return loadWithKernel(root, gemmKernel);
    },
  };
}

let copies = 0;

/**
 * The addon built under `root` loaded with WARMSTART_GEMM_KERNEL=`gemmKernel` (which picks the bundled GEMM's
 * micro-kernel and, in either build, the few-row products' kernel). The kernel is chosen when the addon
 * initialises, and node loads one file once: a copy loads afresh.
 */
export function loadWithKernel(root: string, gemmKernel: string): NativeAddon {
  const copy = join(root, "build", "Release", `kernel-${gemmKernel}-${process.pid}-${copies++}`);
  mkdirSync(join(copy, "build", "Release"), { recursive: true });
  copyFileSync(
    join(root, "build", "Release", "warmstart_native.node"),
    join(copy, "build", "Release", "warmstart_native.node"),
  );
  const previous = process.env.WARMSTART_GEMM_KERNEL;
  process.env.WARMSTART_GEMM_KERNEL = gemmKernel;
  try {
    const probe = probeAddon(copy);
    if ("reason" in probe) throw new Error(probe.reason);
    return probe.addon;
  } finally {
    if (previous === undefined) delete process.env.WARMSTART_GEMM_KERNEL;
    else process.env.WARMSTART_GEMM_KERNEL = previous;
  }
}
