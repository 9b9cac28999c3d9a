// Tests take tfjs from the package itself: this package must not depend on @warmstart/tensors (which will
// depend on it), and pnpm resolves both to the same @tensorflow/tfjs 4.22 install, i.e. the same instance.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { isAvailable, registerNativeBackend, unavailableReason } from "../index.js";
import type { Tensor } from "@tensorflow/tfjs";
import { nativeSkipReason } from "@warmstart/test-utils";

export { tf };

/** Skip message for tests that need the built addon (a machine without a compiler); an error under WARMSTART_REQUIRE_NATIVE=1. */
export const nativeSkip: string | false = nativeSkipReason(isAvailable(), unavailableReason);

export function ensureNative(): void {
  registerNativeBackend(tf);
}

/** Deterministic uniform values in [-1, 1): identical inputs on every backend. */
export function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** randomValues for a tensor of `shape`. */
export function randomFor(shape: readonly number[], seed: number): Float32Array {
  return randomValues(
    shape.reduce((x, y) => x * y, 1),
    seed,
  );
}

/** Runs `fn` on the named backend and returns its result's values (and shape), disposing every tensor. */
export async function runOn(
  backend: string,
  fn: () => Tensor,
): Promise<{ values: Float32Array | Int32Array | Uint8Array; shape: number[] }> {
  await tf.setBackend(backend);
  // The cpu backend's one-time advice to install tfjs-node is noise in test output.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return tf.tidy(() => {
    const out = fn();
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/** Runs `run` on the cpu and native backends: same shape, values within `tol` (relative, see assertRelClose). */
export async function compare(what: string, run: () => Tensor, tol = 1e-4): Promise<void> {
  const expected = await runOn("cpu", run);
  const actual = await runOn("native", run);
  assert.deepEqual(actual.shape, expected.shape, what);
  assertRelClose(actual.values, expected.values, tol, what);
}

/** Asserts |actual − expected| ≤ tol · max(1, |expected|) elementwise: relative for large values, absolute near 0. */
export function assertRelClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} differs from expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (a === e || (Number.isNaN(e) && Number.isNaN(a))) continue;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`${what}: index ${i}: ${a} vs expected ${e} (tolerance ${tol} relative)`);
    }
  }
}
