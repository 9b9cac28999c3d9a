import { availableParallelism } from "node:os";
import type { Command } from "commander";
import type { BackendChoice, NativeBuildInfo } from "@warmstart/tensors";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";

/** Everything `warmstart doctor` reports; `--json` prints it as is. */
export interface DoctorReport {
  ok: true;
  node: { version: string; platform: string; arch: string; cores: number };
  /** What `initBackend()` picks here (WARMSTART_BACKEND included), and why each faster backend was not used. */
  backend: {
    chosen: BackendChoice["backend"];
    forcedBy: string | null;
    skipped: BackendChoice["skipped"];
  };
  native: NativeBuildInfo & { threads: number | null; blasThreads: number | null };
  wasm: { simd: boolean; threads: number | null };
  /** The adapter when webgpu is in use, else why not (an adapter that exists is named there: webgpu is opt-in). */
  webgpu: { inUse: boolean; detail: string | null };
  tokenizer: { package: string; version: string; platform: string } | { error: string };
  /** What the user can do to run faster, most useful first. */
  suggestions: string[];
}

function nativeSection(
  build: NativeBuildInfo,
  info: { threads: number; blasThreads: number } | undefined,
): DoctorReport["native"] {
  if (!build.available || info === undefined) return { ...build, threads: null, blasThreads: null };
  const { threads, blasThreads } = info;
  return { ...build, threads, blasThreads };
}

/** `nativeNotInstalled`: the reason tensors gives when the optional native package is absent. */
function suggestionsFor(report: Omit<DoctorReport, "suggestions">, nativeNotInstalled: string): string[] {
  const out: string[] = [];
  const { native, backend } = report;
  if (!native.available && native.reason === nativeNotInstalled) {
    out.push(
      "the native backend is not installed (an optional dependency): add @warmstart/tensors-native, which builds " +
        "its addon at install with a C compiler (Debian: apt-get install build-essential)",
    );
  } else if (!native.available) {
    out.push(
      "the native backend did not build: install a C compiler (Debian: apt-get install build-essential), then " +
        "`pnpm --filter @warmstart/tensors-native build:native`",
    );
  } else if (native.blas === "bundled") {
    out.push(
      "the native backend uses its bundled matrix product: install OpenBLAS (Debian: apt-get install libopenblas-dev) " +
        "and rebuild with `pnpm --filter @warmstart/tensors-native build:native` to use it instead",
    );
  }
  if (native.available && native.threads !== null && native.threads < report.node.cores) {
    out.push(
      `the native backend runs on ${native.threads} of ${report.node.cores} cores: unset OPENBLAS_NUM_THREADS to use all`,
    );
  }
  if (backend.chosen === "wasm" && !report.wasm.simd) {
    out.push("this Node has no WebAssembly SIMD: Node 20 or newer has it");
  }
  if (backend.skipped.some((s) => s.backend === "tensorflow" && /not installed/.test(s.reason))) {
    out.push(
      "optional: `pnpm add @tensorflow/tfjs-node@4.22.0` (libtensorflow on the CPU) is tried before the native backend",
    );
  }
  return out;
}

function formatReport(report: DoctorReport): string {
  const { node, backend, native, wasm, webgpu, tokenizer } = report;
  const lines = [
    `node:      ${node.version} (${node.platform}-${node.arch}, ${node.cores} cores)`,
    `backend:   ${backend.chosen}${backend.forcedBy === null ? "" : ` (forced by ${backend.forcedBy})`}`,
    ...backend.skipped.map((s) => `  not ${s.backend}: ${s.reason}`),
    native.available
      ? `native:    built with ${native.blas === "openblas" ? `OpenBLAS ${native.blasVersion ?? "(version unknown)"}` : "the bundled matrix product"} (${native.kernel})` +
        (native.threads === null ? "" : `, ${native.threads} threads (BLAS ${native.blasThreads})`)
      : `native:    not available: ${native.reason}`,
    `wasm:      ${wasm.simd ? "SIMD" : "no SIMD"}${wasm.threads === null ? "" : `, ${wasm.threads} threads`}${backend.chosen === "wasm" ? "" : " (fallback, not started)"}`,
    `webgpu:    ${webgpu.inUse ? "in use" : "not used"}${webgpu.detail === null ? "" : `: ${webgpu.detail}`}`,
    "error" in tokenizer
      ? `tokenizer: failed to load: ${tokenizer.error}`
      : `tokenizer: ${tokenizer.package} ${tokenizer.version} (Hugging Face tokenizers, Rust through N-API, ${tokenizer.platform})`,
  ];
  if (report.suggestions.length > 0) lines.push("", "to go faster:", ...report.suggestions.map((s) => `  - ${s}`));
  return lines.join("\n");
}

/** Probes this machine: starts the backend `initBackend()` picks and reads what each faster one lacked. */
export async function doctorReport(): Promise<DoctorReport> {
  const { initBackend, nativeBuildInfo, nativeInfo, NATIVE_NOT_INSTALLED, tf } = await import("@warmstart/tensors");
  const choice = await initBackend();
  const build = await nativeBuildInfo();
  const info = build.available ? await nativeInfo() : undefined;
  const webgpuSkip = choice.skipped.find((s) => s.backend === "webgpu");
  const adapter = choice.webgpuAdapter;
  let tokenizer: DoctorReport["tokenizer"];
  try {
    const { tokenizerBindingInfo } = await import("@warmstart/tokenizers");
    tokenizer = tokenizerBindingInfo();
  } catch (error) {
    tokenizer = { error: (error as Error).message };
  }
  const forced = process.env.WARMSTART_BACKEND;
  const partial: Omit<DoctorReport, "suggestions"> = {
    ok: true,
    node: { version: process.version, platform: process.platform, arch: process.arch, cores: availableParallelism() },
    backend: {
      chosen: choice.backend,
      forcedBy: forced !== undefined && forced !== "" && forced !== "auto" ? `WARMSTART_BACKEND=${forced}` : null,
      skipped: choice.skipped,
    },
    native: nativeSection(build, info),
    wasm: {
      // The flag only validates a SIMD module: it answers without starting the wasm backend.
      simd: (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true,
      threads: choice.wasmThreads?.count ?? null,
    },
    webgpu:
      adapter === undefined
        ? { inUse: false, detail: webgpuSkip?.reason ?? null }
        : { inUse: true, detail: [adapter.vendor, adapter.description, adapter.api].filter((p) => p !== "").join(" ") },
    tokenizer,
  };
  return { ...partial, suggestions: suggestionsFor(partial, NATIVE_NOT_INSTALLED) };
}

export function registerDoctor(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("doctor")
      .description(
        "Show the backend this machine runs on and why (native addon and its BLAS, wasm SIMD, webgpu), threads, the tokenizer binding, Node, and what to install to go faster.",
      ),
  ).addHelpText("after", examples(["warmstart doctor", "warmstart doctor --json"]));
  defineAction<CommonOptions>(command, io, state, async (ctx) => {
    const report = await doctorReport();
    ctx.print(formatReport(report));
    ctx.result(report);
  });
}
