import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { clipGradNorm } from "./clip.js";

test("clipGradNorm scales by maxNorm / (norm + 1e-6) when the norm is larger", () => {
  // Global norm of [3, 4] and [12] is √(9 + 16 + 144) = 13; coefficient 6.5 / (13 + 1e-6).
  const a = Float32Array.from([3, 4]);
  const b = Float32Array.from([12]);
  const norm = clipGradNorm([a, b], 6.5);
  assert.equal(norm, 13);
  const c = 6.5 / (13 + 1e-6);
  assertClose([...a, ...b], [3 * c, 4 * c, 12 * c], 1e-6, "clipped");
});

test("clipGradNorm leaves small gradients alone and reports non-finite norms", () => {
  const a = Float32Array.from([3, 4]);
  assert.equal(clipGradNorm([a], 20), 5);
  assert.deepEqual([...a], [3, 4]);
  assert.ok(Number.isNaN(clipGradNorm([Float32Array.from([Number.NaN, 1])], 1)));
  assert.equal(clipGradNorm([Float32Array.from([Number.POSITIVE_INFINITY])], 1), Number.POSITIVE_INFINITY);
});
