import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { BackendError, initBackend } from "./backend.js";

// Run before anything sets WARMSTART_BACKEND: the default choice on a machine without tfjs-node.
test("initBackend() picks wasm with SIMD here and says why tfjs-node-gpu and tfjs-node were skipped", async () => {
  delete process.env.WARMSTART_BACKEND;
  const choice = await initBackend();
  assert.equal(choice.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(choice.wasmSimd, true);
  assert.deepEqual(
    choice.skipped.map((s) => s.backend),
    ["tensorflow-gpu", "tensorflow"],
  );
  assert.match(
    choice.skipped[0]?.reason ?? "",
    /@tensorflow\/tfjs-node-gpu is not installed \(its install downloads libtensorflow/,
  );
  assert.match(choice.skipped[1]?.reason ?? "", /@tensorflow\/tfjs-node is not installed/);
  // Idempotent: the same promise's result, no second initialisation.
  assert.equal(await initBackend(), choice);
  // The wasm kernel gaps are registered.
  assert.ok(tf.getKernel("UnsortedSegmentSum", "wasm") !== undefined);
  assert.ok(tf.getKernel("Einsum", "wasm") !== undefined);
});

test("WARMSTART_BACKEND forces a backend, and a forced backend that cannot start is an error naming why", async () => {
  process.env.WARMSTART_BACKEND = "cpu";
  try {
    const choice = await initBackend();
    assert.deepEqual(choice, { backend: "cpu", skipped: [], wasmSimd: false });
    assert.equal(tf.getBackend(), "cpu");
    process.env.WARMSTART_BACKEND = "native";
    const native = await initBackend().catch((e: unknown) => e);
    if (native instanceof BackendError) {
      assert.match(native.message, /backend native was requested but cannot start: /);
    } else {
      assert.equal((native as { backend: string }).backend, "native");
      assert.equal(tf.getBackend(), "native");
    }
    process.env.WARMSTART_BACKEND = "tensorflow";
    await assert.rejects(initBackend(), (e: unknown) => {
      assert.ok(e instanceof BackendError && e.code === "BACKEND_UNAVAILABLE", String(e));
      assert.match(
        e.message,
        /backend tensorflow was requested but cannot start: @tensorflow\/tfjs-node is not installed/,
      );
      return true;
    });
    process.env.WARMSTART_BACKEND = "gpu";
    await assert.rejects(
      initBackend(),
      (e: unknown) => e instanceof BackendError && e.code === "UNKNOWN_BACKEND" && /gpu/.test(e.message),
    );
    // An explicit option wins over the environment.
    assert.equal((await initBackend({ backend: "wasm" })).backend, "wasm");
  } finally {
    delete process.env.WARMSTART_BACKEND;
  }
});
