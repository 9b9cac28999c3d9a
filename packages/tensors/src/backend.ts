import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import {
  isAvailable as nativeAvailable,
  registerNativeBackend,
  unavailableReason as nativeUnavailableReason,
} from "@warmstart/tensors-native";
import { registerWasmKernels } from "./register_wasm_kernels.js";

/** The TensorFlow.js backends `initBackend` can start. */
export type BackendName = "tensorflow-gpu" | "tensorflow" | "native" | "wasm" | "cpu";

/** What `initBackend()` tries, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/**
 * Backends started only when asked for by name. `native` (@warmstart/tensors-native: the cpu backend with
 * OpenBLAS products and native hot kernels) is faster than wasm but stays opt-in until the model packages'
 * parity suites run on it in CI.
 */
export const OPT_IN_BACKENDS: readonly BackendName[] = ["native"];

export interface BackendChoice {
  backend: BackendName;
  /** Every faster backend that was not used, and why. */
  skipped: { backend: BackendName; reason: string }[];
  /** Whether the wasm backend runs its SIMD build (only meaningful when `backend` is "wasm"). */
  wasmSimd: boolean;
}

export interface InitBackendOptions {
  /** Use exactly this backend (overrides `WARMSTART_BACKEND`); throws if it cannot start. */
  backend?: BackendName;
}

/** Thrown when a forced backend (option or `WARMSTART_BACKEND`) is unknown or cannot start. */
export class BackendError extends Error {
  readonly code: "UNKNOWN_BACKEND" | "BACKEND_UNAVAILABLE";
  readonly backend: string;

  constructor(code: BackendError["code"], backend: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.backend = backend;
  }
}

const NODE_PACKAGES = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
} as const;

let chosen: Promise<BackendChoice> | undefined;
let chosenFor: BackendName | "auto" | undefined;

/**
 * Picks and activates the fastest available backend: tfjs-node-gpu (CUDA) → tfjs-node → wasm (SIMD) → cpu.
 * `options.backend`, else the `WARMSTART_BACKEND` environment variable, forces one. Idempotent: later calls
 * asking for the same thing return the first result.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  let forced: BackendName | undefined;
  try {
    forced = options.backend ?? parseForced(process.env.WARMSTART_BACKEND);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = forced ?? "auto";
  if (chosen === undefined || chosenFor !== key) {
    chosenFor = key;
    chosen = choose(forced);
    chosen.catch(() => {
      chosen = undefined;
      chosenFor = undefined;
    });
  }
  return chosen;
}

function parseForced(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === "" || value === "auto") return undefined;
  const known: readonly string[] = [...BACKEND_ORDER, ...OPT_IN_BACKENDS];
  if (known.includes(value)) return value as BackendName;
  throw new BackendError(
    "UNKNOWN_BACKEND",
    value,
    `WARMSTART_BACKEND=${value} is not a backend; use one of ${known.join(", ")} (or unset it)`,
  );
}

async function choose(forced: BackendName | undefined): Promise<BackendChoice> {
  const skipped: BackendChoice["skipped"] = [];
  const candidates = forced === undefined ? BACKEND_ORDER : [forced];
  for (const backend of candidates) {
    const reason = await tryStart(backend);
    if (reason === undefined) {
      const wasmSimd = backend === "wasm" ? await wasmHasSimd() : false;
      return { backend, skipped, wasmSimd };
    }
    if (forced !== undefined) {
      throw new BackendError(
        "BACKEND_UNAVAILABLE",
        backend,
        `backend ${backend} was requested but cannot start: ${reason}`,
      );
    }
    skipped.push({ backend, reason });
  }
  // The cpu backend ships inside @tensorflow/tfjs, so the loop above always returns.
  throw new BackendError("BACKEND_UNAVAILABLE", "cpu", `no backend could start: ${JSON.stringify(skipped)}`);
}

/** Starts one backend; undefined when it is now active, otherwise why not. */
async function tryStart(backend: BackendName): Promise<string | undefined> {
  switch (backend) {
    case "tensorflow-gpu":
    case "tensorflow":
      return startNode(backend);
    case "native":
      return startNative();
    case "wasm":
      return startWasm();
    case "cpu": {
      const reason = await activate("cpu");
      // The cpu backend greets Node users with advice to install tfjs-node on first use; `skipped` already
      // says why that backend is not in use, so the banner is only noise.
      if (reason === undefined) (tf.backend() as { firstUse?: boolean }).firstUse = false;
      return reason;
    }
  }
}

const loadedNodePackages = new Set<string>();

async function startNode(backend: "tensorflow-gpu" | "tensorflow"): Promise<string | undefined> {
  const pkg = NODE_PACKAGES[backend];
  const other = NODE_PACKAGES[backend === "tensorflow" ? "tensorflow-gpu" : "tensorflow"];
  // Both packages register a backend named "tensorflow"; once one has loaded, that name is taken by it.
  if (loadedNodePackages.has(other)) return `${other} is already loaded and owns the "tensorflow" backend`;
  try {
    // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
    const specifier: string = pkg;
    await import(specifier);
    loadedNodePackages.add(pkg);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      return `${pkg} is not installed (its install downloads libtensorflow${backend === "tensorflow-gpu" ? " with CUDA" : ""}; optional)`;
    }
    return `${pkg} failed to load: ${(error as Error).message}`;
  }
  return activate("tensorflow");
}

function startNative(): Promise<string | undefined> | string | undefined {
  if (!nativeAvailable()) return nativeUnavailableReason();
  try {
    registerNativeBackend(tf);
  } catch (error) {
    return `@warmstart/tensors-native could not register its backend: ${(error as Error).message}`;
  }
  return activate("native");
}

let wasmPathsSet = false;

async function startWasm(): Promise<string | undefined> {
  try {
    if (!wasmPathsSet) {
      // Emscripten resolves the .wasm files against the script it runs from; under Node with ESM that guess
      // is wrong, so point it at the package's dist folder explicitly (the prefix must end with a slash).
      const require = createRequire(import.meta.url);
      const main = require.resolve("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(`${dirname(main)}/`);
      wasmPathsSet = true;
    }
  } catch (error) {
    return `@tensorflow/tfjs-backend-wasm could not be located: ${(error as Error).message}`;
  }
  registerWasmKernels();
  return activate("wasm");
}

async function activate(name: string): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend("${name}") failed to initialise`;
    await tf.ready();
    return undefined;
  } catch (error) {
    return `tf.setBackend("${name}") threw: ${(error as Error).message}`;
  }
}

async function wasmHasSimd(): Promise<boolean> {
  return (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
}
