import assert from "node:assert/strict";
import { test } from "node:test";
import * as TensorsNative from "@warmstart/tensors-native";
import { initBackend } from "./backend.js";
import { hasNativeKernel, loadNative, nativeBuildInfo, nativeInfo } from "./native.js";

// In this workspace the optional package is installed; scripts/pack-check.mjs installs @warmstart/tensors without
// it and checks the "not installed" reason.
test("with the optional package installed, nativeBuildInfo and nativeInfo say what the package itself says", async () => {
  const native = await loadNative();
  assert.ok(!("reason" in native), "the workspace installs @warmstart/tensors-native");
  assert.deepEqual(await nativeBuildInfo(), TensorsNative.nativeBuildInfo());
  if (TensorsNative.isAvailable()) assert.deepEqual(await nativeInfo(), TensorsNative.nativeInfo());
  else await assert.rejects(nativeInfo(), (error: Error) => error.message === TensorsNative.unavailableReason());
});

test("the fused kernels are used exactly when the native backend is active", async () => {
  const choice = await initBackend();
  assert.equal(hasNativeKernel("gelu"), choice.backend === "native");
  assert.equal(hasNativeKernel("layerNorm"), choice.backend === "native");
});
