import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";

/**
 * Most threads the threaded build can use: tfjs's C++ caps its pthreadpool at 8, the number of workers its
 * Emscripten build starts up front.
 */
export const MAX_WASM_THREADS = 8;

/** Where tfjs-backend-wasm's threaded SIMD build lives (its glue, binary and worker script). */
interface ThreadedBuild {
  glue: string;
  binary: string;
}

/** The parts of the Emscripten module tfjs's threaded glue returns that this file uses. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

/** A compiled module and its instance, opaque here (the project's TypeScript lib has no WebAssembly types). */
interface Instantiated {
  instance: unknown;
  module: unknown;
}

type Imports = { env: Record<string, unknown> };

type ThreadedFactory = (config: {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: Imports, receiveInstance: (instance: unknown, module: unknown) => void): object;
}) => Promise<ThreadedModule>;

const { WebAssembly: webAssembly } = globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: Imports): Promise<Instantiated> };
};

/**
 * The worker file sits in src/ and is published with it; from dist/ the same relative URL reaches it. Computed on
 * use, not at import: browser bundles of this package stub node:url, and the browser never starts these threads.
 */
function workerPath(): string {
  return fileURLToPath(new URL("../src/wasm-thread-worker.cjs", import.meta.url));
}

function locateThreadedBuild(): ThreadedBuild {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  return {
    glue: join(root, "wasm-out", "tfjs-backend-wasm-threaded-simd.js"),
    binary: join(root, "dist", "tfjs-backend-wasm-threaded-simd.wasm"),
  };
}

/**
 * Starts tfjs-backend-wasm's threaded SIMD build on `threads` threads (the caller's thread included).
 *
 * tfjs never loads this build under Node: its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false there, and its
 * loader gives Emscripten the pthread worker as a `blob:` URL, which `worker_threads` rejects
 * (ERR_WORKER_PATH). This loads the same glue and binary with the worker started from a file, and makes the
 * build use `threads` threads: its C++ sizes the pool as min(requested, logical cores / 2), assuming two
 * hyperthreads per core, so it is told there are `2 * threads` cores.
 */
async function createThreadedBackend(threads: number): Promise<wasm.BackendWasm> {
  // Emscripten's glue sets `global.Worker = worker_threads.Worker` and starts its workers with no options, so
  // they inherit this process's execArgv: `--input-type` makes Node refuse to start them, and `--import tsx`
  // would load tsx into each. Its assignment is ignored while the module and its thread pool start.
  const previous = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  const PthreadWorker = pthreadWorkerClass();
  Object.defineProperty(globalThis, "Worker", { configurable: true, get: () => PthreadWorker, set: () => undefined });
  try {
    return await startThreadedBackend(threads);
  } finally {
    if (previous === undefined) delete (globalThis as { Worker?: unknown }).Worker;
    else Object.defineProperty(globalThis, "Worker", previous);
  }
}

/**
 * A worker_threads Worker that does not inherit this process's Node options. Defined on use, not when the module
 * loads: a browser bundle of this module (the docs demo) has no worker_threads Worker to extend.
 */
function pthreadWorkerClass(): typeof Worker {
  return class PthreadWorker extends Worker {
    constructor(file: string) {
      super(file, { execArgv: [] });
    }
  };
}

async function startThreadedBackend(threads: number): Promise<wasm.BackendWasm> {
  const build = locateThreadedBuild();
  const require = createRequire(import.meta.url);
  const factory = require(build.glue) as ThreadedFactory;
  // Emscripten cannot be told that a custom instantiation failed; this promise carries the failure instead.
  let failInstantiation: (error: Error) => void = () => undefined;
  const instantiationFailed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });
  const loading = factory({
    locateFile: (path, prefix) => {
      if (path.endsWith(".worker.js")) return workerPath();
      if (path.endsWith(".wasm")) return build.binary;
      return prefix + path;
    },
    // Each worker evaluates the glue from this path before instantiating the shared module.
    mainScriptUrlOrBlob: build.glue,
    instantiateWasm: (imports, receiveInstance) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      readFile(build.binary)
        .then((bytes) => webAssembly.instantiate(bytes, imports))
        .then(({ instance, module: compiled }) => receiveInstance(instance, compiled))
        .catch((error: unknown) => {
          failInstantiation(new Error(`${build.binary} could not be instantiated: ${(error as Error).message}`));
        });
      return {};
    },
  });
  const module = await Promise.race([loading, instantiationFailed]);
  // The same bridge tfjs's own loader attaches (its init() is not exported).
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  wasm.setThreadsCount(threads);
  const backend = new wasm.BackendWasm(module as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0]);
  // The pool's threads live as long as the module, and Emscripten keeps a reference on every worker that
  // runs a thread: without this the process would never exit on its own.
  for (const worker of module.PThread.runningWorkers) worker.unref();
  return backend;
}

/** How many threads the wasm backend runs on, and why only one when more were asked for. */
export interface WasmThreads {
  count: number;
  /** Set when the threaded build was asked for but could not start, so tfjs's single-threaded build runs. */
  fallbackReason?: string;
}

/**
 * Threads the wasm backend asks for: `WARMSTART_WASM_THREADS` (1 = tfjs's single-threaded build), else one
 * per available core, at most {@link MAX_WASM_THREADS}.
 */
export function requestedWasmThreads(value = process.env.WARMSTART_WASM_THREADS): number {
  if (value === undefined || value === "") return Math.min(availableParallelism(), MAX_WASM_THREADS);
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new RangeError(
      `WARMSTART_WASM_THREADS=${value} is not a thread count; use an integer from 1 to ${MAX_WASM_THREADS}`,
    );
  }
  return threads;
}

/**
 * Activates tfjs's "wasm" backend on `threads` threads: the threaded SIMD build when `threads` > 1, falling
 * back to tfjs's own single-threaded SIMD build (with the reason) when that cannot start. `activate` sets a
 * backend and says why it could not. The factory is replaced once: later calls only switch back to the
 * backend already created, which keeps its tensors.
 */
export async function activateWasm(
  threads: number,
  activate: (name: string) => Promise<string | undefined>,
): Promise<{ reason?: string; threads: WasmThreads }> {
  if (chosenThreads === undefined) chosenThreads = await chooseWasmBuild(threads, activate);
  const reason = await activate("wasm");
  return reason === undefined ? { threads: chosenThreads } : { reason, threads: chosenThreads };
}

let chosenThreads: WasmThreads | undefined;

async function chooseWasmBuild(
  threads: number,
  activate: (name: string) => Promise<string | undefined>,
): Promise<WasmThreads> {
  if (threads === 1) return { count: 1 };
  const stock = tf.findBackendFactory("wasm");
  if (stock === null) return { count: 1, fallbackReason: '@tensorflow/tfjs-backend-wasm registered no "wasm" backend' };
  const priority = 2; // tfjs-backend-wasm's own priority for "wasm"
  let failure: string | undefined;
  tf.removeBackend("wasm");
  tf.registerBackend(
    "wasm",
    () =>
      createThreadedBackend(threads).catch((error: unknown) => {
        failure = (error as Error).message;
        throw error;
      }),
    priority,
  );
  const reason = await activate("wasm");
  if (reason === undefined) return { count: wasm.getThreadsCount() };
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", stock, priority);
  return { count: 1, fallbackReason: `the threaded SIMD build could not start: ${failure ?? reason}` };
}
