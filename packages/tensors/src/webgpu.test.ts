// One backend per process: webgpu on Dawn's null device, which validates every call and shader but computes
// nothing, so the plumbing from initBackend through tfjs-backend-webgpu to Dawn is tested without a GPU.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.js";

process.env.WARMSTART_DAWN_BACKEND = "null";
const NULL_ADAPTER = { vendor: "", architecture: "", device: "null-backend", description: "", api: "null" };

test("in auto mode a webgpu adapter is reported in skipped but not used (webgpu is opt-in)", async () => {
  const choice = await initBackend();
  assert.notEqual(choice.backend, "webgpu");
  const webgpu = choice.skipped.find((s) => s.backend === "webgpu");
  assert.match(
    webgpu?.reason ?? "",
    /^GPU adapter found \(null-backend, null\), but webgpu is opt-in: .*WARMSTART_BACKEND=webgpu/,
  );
});

test("initBackend({ backend: 'webgpu' }) runs tfjs-backend-webgpu on Dawn and reports the adapter", async () => {
  const choice = await initBackend({ backend: "webgpu" });
  assert.equal(choice.backend, "webgpu");
  assert.equal(tf.getBackend(), "webgpu");
  assert.deepEqual(choice.webgpuAdapter, NULL_ADAPTER);
  // Large enough to stay on the GPU (small tensors are computed on the CPU).
  const y = tf.tidy(() => tf.softmax(tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]))));
  // The reason webgpu is opt-in: a synchronous read of a GPU tensor needs OffscreenCanvas, which Node lacks.
  assert.throws(() => y.dataSync(), /OffscreenCanvas is not defined/);
  assert.equal((await y.data()).length, 64 * 64);
  y.dispose();
});
