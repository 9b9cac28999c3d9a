import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend } from "./backend.js";
import { createRandom, ones, zeros } from "./random.js";

test("the same seed gives the same values on cpu and on wasm; another seed does not", async () => {
  await initBackend({ backend: "cpu" });
  const onCpu = createRandom(42).normal([3, 5], 0.02).dataSync();
  await initBackend({ backend: "wasm" });
  const onWasm = createRandom(42).normal([3, 5], 0.02).dataSync();
  assert.deepEqual(Array.from(onWasm), Array.from(onCpu));
  assert.notDeepEqual(Array.from(createRandom(43).normal([3, 5], 0.02).dataSync()), Array.from(onCpu));
});

test("these values are pinned, so a change to the generator cannot go unnoticed", () => {
  const random = createRandom(1);
  const first = [random.int(1000), random.int(1000), random.int(1000)];
  assert.deepEqual(first, PINNED_INTS);
});

test("normal() has the requested mean and std, uniform() stays in range", () => {
  const random = createRandom(2024);
  const n = Array.from(random.normal([20000], 0.2, 1).dataSync());
  const mean = n.reduce((a, b) => a + b) / n.length;
  const std = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.2) < 0.01, `std ${std}`);
  const u = Array.from(random.uniform([10000], -2, 3).dataSync());
  assert.ok(u.every((v) => v >= -2 && v < 3));
  assert.ok(Math.abs(u.reduce((a, b) => a + b) / u.length - 0.5) < 0.05);
  const odd = random.normal([3]);
  assert.deepEqual(odd.shape, [3]);
});

test("a fork depends on its label and the seed, not on draws made before it", () => {
  const a = createRandom(9);
  const b = createRandom(9);
  b.normal([100]);
  assert.deepEqual(
    Array.from(a.fork("layer.0").normal([4]).dataSync()),
    Array.from(b.fork("layer.0").normal([4]).dataSync()),
  );
  assert.notDeepEqual(
    Array.from(a.fork("layer.0").normal([4]).dataSync()),
    Array.from(a.fork("layer.1").normal([4]).dataSync()),
  );
  assert.notDeepEqual(
    Array.from(a.fork("ab").fork("").normal([4]).dataSync()),
    Array.from(a.fork("a").fork("b").normal([4]).dataSync()),
  );
  assert.throws(() => createRandom(0.5), /safe integer/);
  assert.throws(() => a.int(0), /positive/);
});

test("zeros and ones are float32 of the given shape", () => {
  assert.deepEqual(Array.from(zeros([2, 2]).dataSync()), [0, 0, 0, 0]);
  assert.deepEqual(ones([3]).dtype, "float32");
  assert.deepEqual(Array.from(ones([3]).dataSync()), [1, 1, 1]);
});

// Drawn by SeededRandom (xoshiro128** of @warmstart/core) when it replaced the former counter-based stream (#18).
const PINNED_INTS = [158, 751, 871];
