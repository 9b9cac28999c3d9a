import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { MAX_WASM_THREADS, requestedWasmThreads } from "./wasm-threads.js";

const backendModule = fileURLToPath(new URL("./backend.ts", import.meta.url));
// The package folder, so that the child's bare imports resolve as this package's do.
const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `body` in a fresh Node process (each process can create the wasm module once) with `initBackend` in
 * scope, and returns what it printed. The process must exit by itself: a pthread worker left referenced
 * would keep it alive until the timeout.
 */
function runChild(
  body: string,
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const script = `const { initBackend } = await import(${JSON.stringify(backendModule)});\n${body}`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: packageRoot,
    encoding: "utf8",
    env: { ...process.env, WARMSTART_BACKEND: "wasm", ...env },
    timeout: 120_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test("WARMSTART_WASM_THREADS picks the thread count; unset means one per core, at most 8", () => {
  assert.equal(requestedWasmThreads("1"), 1);
  assert.equal(requestedWasmThreads("3"), 3);
  const unset = requestedWasmThreads(undefined);
  assert.ok(unset >= 1 && unset <= MAX_WASM_THREADS, String(unset));
  for (const bad of ["0", "9", "1.5", "two"]) {
    assert.throws(() => requestedWasmThreads(bad), /WARMSTART_WASM_THREADS=.* is not a thread count/);
  }
});

test("the threaded build computes a product on 2 threads and the process then exits by itself", () => {
  const child = runChild(
    `const tf = await import("@tensorflow/tfjs");
     const choice = await initBackend();
     const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
     const b = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
     // Large enough for XNNPACK to split the work across the pool.
     const big = tf.matMul(tf.ones([256, 512]), tf.ones([512, 384])).max().dataSync()[0];
     console.log(JSON.stringify({ threads: choice.wasmThreads, simd: choice.wasmSimd, product: Array.from(tf.matMul(a, b).dataSync()), big }));`,
    { WARMSTART_WASM_THREADS: "2" },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), {
    threads: { count: 2 },
    simd: true,
    product: [4, 5, 10, 11],
    big: 512,
  });
});

test("when the threaded build cannot start, wasm falls back to the single-threaded build and says why", () => {
  // Without SharedArrayBuffer Emscripten's pthreads cannot start; tfjs's single-threaded build does not need it.
  const child = runChild(
    `delete globalThis.SharedArrayBuffer;
     const tf = await import("@tensorflow/tfjs");
     const choice = await initBackend();
     console.log(JSON.stringify({ backend: choice.backend, threads: choice.wasmThreads, sum: tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0] }));`,
    { WARMSTART_WASM_THREADS: "2" },
  );
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "") as {
    backend: string;
    threads: { count: number; fallbackReason?: string };
    sum: number;
  };
  assert.equal(result.backend, "wasm");
  assert.equal(result.sum, 5);
  assert.equal(result.threads.count, 1);
  assert.match(result.threads.fallbackReason ?? "", /^the threaded SIMD build could not start: .*SharedArrayBuffer/);
});

test("WARMSTART_WASM_THREADS=1 runs tfjs's own single-threaded build", () => {
  const child = runChild(
    `const choice = await initBackend();
     console.log(JSON.stringify(choice.wasmThreads));`,
    { WARMSTART_WASM_THREADS: "1" },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { count: 1 });
});
