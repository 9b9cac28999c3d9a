import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { WarmstartError } from "@warmstart/core";
import { loadNative } from "./native.js";
import { registerWasmKernels } from "./register_wasm_kernels.js";
import { activateWasm, requestedWasmThreads, type WasmThreads } from "./wasm-threads.js";
import { registerWebGpu, type WebGpuAdapter } from "./webgpu.js";

/** The TensorFlow.js backends `initBackend` can start. */
export type BackendName = "tensorflow-gpu" | "webgpu" | "tensorflow" | "native" | "wasm" | "cpu";

/**
 * What `initBackend()` tries, fastest first. `native` (@warmstart/tensors-native: the cpu backend with OpenBLAS
 * products and native hot kernels, built by node-gyp at install; an optional dependency) comes before wasm; where
 * its package is not installed or its addon did not build, wasm (SIMD) is used and `skipped` says why.
 *
 * `webgpu` (Dawn through the npm `webgpu` package, on Vulkan/Metal/D3D12) is probed in that order so that
 * `skipped` says whether a GPU adapter exists, but only started when asked for by name: on an NVIDIA H200 it
 * reproduces the encoder and composed-model goldens, generation included (benchmarks/results/gpu-webgpu.json), but
 * training has not been run on it, and it cannot read tensors synchronously in Node (`dataSync` needs
 * OffscreenCanvas), which resuming an optimizer checkpoint still does.
 */
export const BACKEND_ORDER: readonly BackendName[] = [
  "tensorflow-gpu",
  "webgpu",
  "tensorflow",
  "native",
  "wasm",
  "cpu",
];

export interface BackendChoice {
  backend: BackendName;
  /** Every faster backend that was not used, and why. */
  skipped: { backend: BackendName; reason: string }[];
  /** Whether the wasm backend runs its SIMD build (only meaningful when `backend` is "wasm"). */
  wasmSimd: boolean;
  /** How many threads the wasm backend runs on, and why one when more were asked for (only when `backend` is "wasm"). */
  wasmThreads?: WasmThreads;
  /** The GPU the webgpu backend runs on (only when `backend` is "webgpu"). */
  webgpuAdapter?: WebGpuAdapter;
}

export interface InitBackendOptions {
  /** Use exactly this backend (overrides `WARMSTART_BACKEND`); throws if it cannot start. */
  backend?: BackendName;
}

/**
 * Thrown when a forced backend (option or `WARMSTART_BACKEND`) is unknown or cannot start, or when a synchronous
 * entry point runs before any backend is active (`BACKEND_NOT_INITIALISED`).
 */
export class BackendError extends WarmstartError<
  "UNKNOWN_BACKEND" | "BACKEND_UNAVAILABLE" | "BACKEND_NOT_INITIALISED"
> {
  override readonly name = "BackendError";
  readonly backend: string;

  constructor(code: BackendError["code"], backend: string, message: string) {
    super(code, message);
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
 * Picks and activates the fastest available backend: tfjs-node-gpu (CUDA) → tfjs-node → native (OpenBLAS) →
 * wasm (SIMD) → cpu; webgpu is probed after tfjs-node-gpu, and used only when asked for.
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

/**
 * Makes sure a backend is active before an async entry point creates tensors: the one already set (by
 * `initBackend`, or by the caller through `tf.setBackend`) is kept, otherwise `initBackend()` picks the best one,
 * exactly as when called with no argument. Resolves to the active backend's name. Every async public entry point
 * that creates tensors (`fromPretrained`, `generate`, training, pre-training) awaits it, so callers need no
 * `initBackend()` call of their own, as in transformers.js.
 */
export async function ensureBackend(): Promise<string> {
  if (chosen !== undefined) await chosen;
  else if (backendIsPending()) await tf.ready();
  else if (!backendIsActive()) await initBackend();
  return tf.getBackend();
}

/**
 * The synchronous counterpart of `ensureBackend`, for entry points that cannot wait (`fromConfig`, model
 * constructors): throws a `BackendError` naming `entry` and the call to make when no backend is active yet, rather
 * than letting tfjs fail later with its internal "highest priority backend has not yet been initialized".
 */
export function requireBackend(entry: string): void {
  if (backendIsActive()) return;
  throw new BackendError(
    "BACKEND_NOT_INITIALISED",
    "none",
    `${entry} creates tensors synchronously and no TensorFlow.js backend is active yet: call ` +
      "`await initBackend()` (from @warmstart/tensors) first, or use an async entry point " +
      "(EncoderDecoderModel.fromPretrained / fromEncoderDecoderPretrained, a model's fromPretrained), which picks one itself",
  );
}

/** Whether tfjs has a backend set and fully initialised (its async initialisation, e.g. wasm's, has finished). */
function backendIsActive(): boolean {
  const engine = engineState();
  return isSet(engine.backendInstance) && !isSet(engine.pendingBackendInit);
}

/** Whether a caller's `tf.setBackend(...)` is still initialising (not awaited yet). */
function backendIsPending(): boolean {
  return isSet(engineState().pendingBackendInit);
}

/** tfjs leaves these fields undefined before first use and sets them to null when it clears them. */
function isSet(field: unknown): boolean {
  return field !== undefined && field !== null;
}

function engineState(): { backendInstance?: unknown; pendingBackendInit?: unknown } {
  // tfjs exposes no "is a backend ready" query, and `tf.backend()` itself starts (and, for wasm, fails) the
  // automatic initialisation, so read the engine's fields instead.
  return tf.engine() as unknown as { backendInstance?: unknown; pendingBackendInit?: unknown };
}

function parseForced(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === "" || value === "auto") return undefined;
  const known: readonly string[] = BACKEND_ORDER;
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
    const reason = await tryStart(backend, forced === backend);
    if (reason === undefined) {
      const wasmSimd = backend === "wasm" ? await wasmHasSimd() : false;
      if (backend === "webgpu") return { backend, skipped, wasmSimd, webgpuAdapter: await startedWebGpuAdapter() };
      if (backend === "wasm") return { backend, skipped, wasmSimd, wasmThreads };
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
async function tryStart(backend: BackendName, requested: boolean): Promise<string | undefined> {
  switch (backend) {
    case "webgpu":
      return startWebGpu(requested);
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
  // tfjs-node-gpu that found no GPU runs libtensorflow on the CPU, which is all tfjs-node would do.
  if (backend === "tensorflow" && loadedNodePackages.has(NODE_PACKAGES["tensorflow-gpu"])) {
    return activate("tensorflow");
  }
  // Both packages register a backend named "tensorflow"; once one has loaded, that name is taken by it.
  if (backend === "tensorflow-gpu" && loadedNodePackages.has(NODE_PACKAGES.tensorflow)) {
    return `${NODE_PACKAGES.tensorflow} is already loaded and owns the "tensorflow" backend`;
  }
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
  const reason = await activate("tensorflow");
  if (reason !== undefined || backend === "tensorflow") return reason;
  // Without the CUDA 11.2 / cuDNN 8.1 libraries its libtensorflow links against, tfjs-node-gpu loads anyway and
  // silently runs every op on the CPU; only the binding's device check tells.
  if ((tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true) return undefined;
  return `${pkg} loaded but TensorFlow found no usable GPU and fell back to the CPU (its libtensorflow needs CUDA 11.2 and cuDNN 8.1; CUDA 12+ installs lack libcudart.so.11.0)`;
}

async function startWebGpu(requested: boolean): Promise<string | undefined> {
  const start = await registerWebGpu();
  if ("reason" in start) return start.reason;
  if (!requested) {
    const { vendor, device, description, api } = start.adapter;
    return `GPU adapter found (${[vendor, device, description].filter((part) => part !== "").join(" ")}, ${api}), but webgpu is opt-in: ask for it by name (WARMSTART_BACKEND=webgpu); inference matches the goldens on it, training is untested there`;
  }
  return activate("webgpu");
}

async function startedWebGpuAdapter(): Promise<WebGpuAdapter | undefined> {
  const start = await registerWebGpu();
  return "adapter" in start ? start.adapter : undefined;
}

async function startNative(): Promise<string | undefined> {
  const native = await loadNative();
  if ("reason" in native) return native.reason;
  if (!native.isAvailable()) return native.unavailableReason();
  try {
    native.registerNativeBackend(tf);
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
  let threads: number;
  try {
    threads = requestedWasmThreads();
  } catch (error) {
    return (error as Error).message;
  }
  const started = await activateWasm(threads, activate);
  wasmThreads = started.threads;
  return started.reason;
}

let wasmThreads: WasmThreads | undefined;

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
