import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  isAvailable as nativeAvailable,
  unavailableReason as nativeUnavailableReason,
} from "@warmstart/tensors-native";
import { BackendError, initBackend } from "./backend.js";

// These machines have no GPU; most lack the Vulkan loader too.
const NO_GPU_ADAPTER = /^(no Vulkan loader \(libvulkan\.so\.1\)|no GPU adapter: vulkan reports no usable device)/;

// Run before anything sets WARMSTART_BACKEND: the default choice on a machine without tfjs-node.
test("initBackend() picks native where its addon built, else wasm with SIMD, and says why faster ones were skipped", async () => {
  delete process.env.WARMSTART_BACKEND;
  const choice = await initBackend();
  const expected = nativeAvailable() ? "native" : "wasm";
  assert.equal(choice.backend, expected);
  assert.equal(tf.getBackend(), expected);
  assert.deepEqual(
    choice.skipped.map((s) => s.backend),
    expected === "native"
      ? ["tensorflow-gpu", "webgpu", "tensorflow"]
      : ["tensorflow-gpu", "webgpu", "tensorflow", "native"],
  );
  assert.match(
    choice.skipped[0]?.reason ?? "",
    /@tensorflow\/tfjs-node-gpu is not installed \(its install downloads libtensorflow/,
  );
  assert.match(choice.skipped[1]?.reason ?? "", NO_GPU_ADAPTER);
  assert.match(choice.skipped[2]?.reason ?? "", /@tensorflow\/tfjs-node is not installed/);
  if (expected === "wasm") assert.equal(choice.skipped[3]?.reason, nativeUnavailableReason());
  // Idempotent: the same promise's result, no second initialisation.
  assert.equal(await initBackend(), choice);
});

test("the wasm backend runs its SIMD build with the kernel gaps registered", async () => {
  const choice = await initBackend({ backend: "wasm" });
  assert.equal(choice.backend, "wasm");
  assert.equal(choice.wasmSimd, true);
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

test("WARMSTART_BACKEND=webgpu without a GPU is an error saying why no adapter was found", async () => {
  process.env.WARMSTART_BACKEND = "webgpu";
  try {
    await assert.rejects(initBackend(), (e: unknown) => {
      assert.ok(e instanceof BackendError && e.code === "BACKEND_UNAVAILABLE" && e.backend === "webgpu", String(e));
      assert.match(e.message, /^backend webgpu was requested but cannot start: /);
      assert.match(e.message.replace(/^backend webgpu was requested but cannot start: /, ""), NO_GPU_ADAPTER);
      return true;
    });
    assert.notEqual(tf.getBackend(), "webgpu");
  } finally {
    delete process.env.WARMSTART_BACKEND;
  }
});
