// Runs a PyTorch baseline script of benchmarks/pytorch/ in the same run as the tfjs side, with the strongest
// fair settings of research/engine-facts.md, on PyTorch from PyPI (the oracle's environment, which oracle/run sets
// up outside the repository on first use) or Debian's python3-torch (never installed here: without it the result
// says so).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The strongest fair baseline. 2 threads are set by each script (torch.set_num_threads(2)); OMP_WAIT_POLICY=PASSIVE stops OpenMP spin-waiting
 * on 2 cores; the MALLOC_* settings keep glibc from returning large blocks to the kernel, which otherwise
 * page-fault afresh on every big tensor in these VMs (2.4x on a BERT-base forward).
 */
export const TORCH_ENV = {
  OMP_WAIT_POLICY: "PASSIVE",
  MALLOC_MMAP_THRESHOLD_: "33554432",
  MALLOC_TRIM_THRESHOLD_: "4294967296",
  MALLOC_TOP_PAD_: "536870912",
} as const;

/** `available: false` with a `reason`, or the script's JSON with the interpreter and settings used. */
export type BaselineResult = { available: boolean } & Record<string, unknown>;

/**
 * Where the baseline's PyTorch comes from: "pypi" is PyTorch 2.x from PyPI (MKL / oneDNN) with real transformers
 * — the oracle's environment (oracle/run v5), what a Python user would install, the main baseline; "debian" is
 * Debian's python3-torch (1.13 + OpenBLAS), kept for continuity with earlier results.
 */
export type TorchInstall = "pypi" | "debian";
export const TORCH_INSTALLS: readonly TorchInstall[] = ["pypi", "debian"];

/** The first interpreter (WARMSTART_PYTHON, Debian's /usr/bin/python3, python3) that imports torch. */
function findTorchPython(): string | undefined {
  const candidates = [process.env.WARMSTART_PYTHON, "/usr/bin/python3", "python3"].filter(
    (p): p is string => p !== undefined,
  );
  return candidates.find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
}

/** The command that runs a Python script on `install`'s PyTorch, or why there is none. */
function interpreter(install: TorchInstall): { command: string[] } | { reason: string } {
  if (install === "pypi") {
    // oracle/run sets the oracle's environment up on first use (a few minutes) and runs its Python with transformers.
    return { command: [join(here, "..", "oracle", "run"), "v5"] };
  }
  const python = findTorchPython();
  return python === undefined
    ? {
        reason:
          "no interpreter among WARMSTART_PYTHON, /usr/bin/python3, python3 imports torch (apt-get install python3-torch libopenblas0-pthread)",
      }
    : { command: [python] };
}

/** Runs `benchmarks/pytorch/<script>` with `args` on `install`'s PyTorch; its last stdout line must be a JSON object. */
export function runPytorchBaseline(script: string, args: string[], install: TorchInstall = "pypi"): BaselineResult {
  const found = interpreter(install);
  if ("reason" in found) return { available: false, install, reason: found.reason };
  const [command, ...prefix] = found.command as [string, ...string[]];
  // The machines set OPENBLAS_CORETYPE=Haswell (AVX2 kernels); unset, OpenBLAS picks its AVX-512 kernels, the
  // strongest baseline. Only the baseline process loses it: tests and CI keep the machine's setting.
  const env: NodeJS.ProcessEnv = { ...process.env, ...TORCH_ENV };
  delete env.OPENBLAS_CORETYPE;
  const result = spawnSync(command, [...prefix, join(here, "pytorch", script), ...args], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) {
    return {
      available: false,
      install,
      reason: `${found.command.join(" ")} ${script} exited ${result.status}: ${(result.stderr || String(result.error)).slice(-2000)}`,
    };
  }
  const lastLine = result.stdout.trim().split("\n").pop() ?? "";
  return {
    available: true,
    install,
    python: found.command.join(" "),
    openblasCoretypeOfMachine: process.env.OPENBLAS_CORETYPE ?? null,
    openblasCoretype: null,
    torchEnv: TORCH_ENV,
    ...(JSON.parse(lastLine) as Record<string, unknown>),
  };
}
