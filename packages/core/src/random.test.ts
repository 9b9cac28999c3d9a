import assert from "node:assert/strict";
import { test } from "node:test";
import { RandomError, SeededRandom } from "./index.js";

// Drawn by the generators this class replaced (training's Rng and evaluation's Xoshiro128, both xoshiro128**
// seeded by splitmix32), so trainer data order, masking and ROUGE bootstrap intervals keep their values.
test("the sequences of the former trainer and bootstrap generators are kept", () => {
  const random = new SeededRandom(42);
  assert.deepEqual(
    Array.from({ length: 5 }, () => random.nextUint32()),
    [2837322924, 544945897, 479756282, 3500138142, 339756180],
  );
  const dice = new SeededRandom(7);
  assert.deepEqual(
    Array.from({ length: 8 }, () => dice.int(6)),
    [0, 5, 5, 2, 1, 3, 5, 2],
  );
  const bounded = new SeededRandom(3);
  assert.deepEqual(
    Array.from({ length: 8 }, () => bounded.int(1000)),
    [543, 889, 685, 835, 218, 348, 469, 169],
  );
  assert.equal(new SeededRandom(4294967295).nextUint32(), 835879718);
});

test("wider seeds give their own streams; a 32-bit seed is the same signed or unsigned", () => {
  const first = (seed: number): number[] => {
    const random = new SeededRandom(seed);
    return Array.from({ length: 4 }, () => random.nextUint32());
  };
  const streams = [0, 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  assert.equal(new Set(streams.map((seed) => first(seed).join(","))).size, streams.length);
  assert.deepEqual(first(-1), first(2 ** 32 - 1));
  assert.deepEqual(first(42 ^ 0x5bd1e995), first((42 ^ 0x5bd1e995) >>> 0));
  for (const bad of [0.5, Number.NaN, 2 ** 53]) {
    assert.throws(
      () => new SeededRandom(bad),
      (e: unknown) => e instanceof RandomError && e.code === "INVALID_SEED" && e.message.includes(String(bad)),
    );
  }
});

test("a generator resumes from its state, and an older four-word state restores the same draws", () => {
  const random = new SeededRandom(11).fork("data");
  random.float();
  const state = random.getState();
  assert.equal(state.length, 6);
  const after = Array.from({ length: 5 }, () => random.float());
  const resumed = SeededRandom.fromState(JSON.parse(JSON.stringify(state)) as number[]);
  assert.deepEqual(
    Array.from({ length: 5 }, () => resumed.float()),
    after,
  );
  assert.deepEqual(resumed.fork("x").getState(), SeededRandom.fromState(state).fork("x").getState());
  const fourWords = SeededRandom.fromState(state.slice(0, 4));
  assert.deepEqual(
    Array.from({ length: 5 }, () => fourWords.float()),
    after,
  );
  for (const bad of [
    [1, 2, 3],
    [0, 0, 0, 0],
    [1, 2, 3, -4],
    [1, 2, 3, 2 ** 32],
    [1, 2, 3, 4, 5],
  ]) {
    assert.throws(
      () => SeededRandom.fromState(bad),
      (e: unknown) => e instanceof RandomError && e.code === "INVALID_STATE",
    );
  }
});

test("float() is uniform on [0, 1) with 53 bits; int() is unbiased and refuses bad bounds", () => {
  const random = new SeededRandom(2024);
  let sum = 0;
  let fine = 0;
  for (let i = 0; i < 20000; i++) {
    const x = random.float();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    // A value that is not a multiple of 2^-32 needs more than one draw's bits.
    if (!Number.isInteger(x * 2 ** 32)) fine += 1;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01, `mean ${sum / 20000}`);
  assert.ok(fine > 19000, `${fine} of 20000 floats use more than 32 bits`);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 60000; i++) {
    const k = random.int(6);
    counts[k] = (counts[k] as number) + 1;
  }
  for (const c of counts) assert.ok(c > 9000 && c < 11000, `count ${c} far from 10000`);
  assert.equal(random.int(1), 0);
  assert.ok(random.int(2 ** 32) < 2 ** 32);
  for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) {
    assert.throws(
      () => random.int(bad),
      (e: unknown) => e instanceof RandomError && e.code === "INVALID_BOUND",
    );
  }
});

test("fillNormal has the requested mean and std, odd lengths included", () => {
  const values = new SeededRandom(5).fillNormal(new Float64Array(20001), 1, 0.2);
  const mean = values.reduce((a, b) => a + b) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.2) < 0.01, `std ${std}`);
  assert.ok(Number.isFinite(values[20000]) && values[20000] !== 0);
});

test("a fork depends on its label and the seed path, not on draws made before it", () => {
  const a = new SeededRandom(9);
  const b = new SeededRandom(9);
  b.fillNormal(new Float32Array(101));
  const draw = (random: SeededRandom): number[] => Array.from({ length: 4 }, () => random.nextUint32());
  assert.deepEqual(draw(a.fork("layer.0")), draw(b.fork("layer.0")));
  assert.notDeepEqual(draw(a.fork("layer.0")), draw(a.fork("layer.1")));
  assert.notDeepEqual(draw(a.fork("ab").fork("")), draw(a.fork("a").fork("b")));
  assert.notDeepEqual(draw(a.fork("layer.0")), draw(new SeededRandom(10).fork("layer.0")));
  assert.notDeepEqual(draw(a.fork("layer.0")), draw(new SeededRandom(9)));
});

test("shuffled is a permutation of a copy", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = new SeededRandom(1).shuffled(items);
  assert.notDeepEqual(out, items);
  assert.deepEqual(
    out.slice().sort((x, y) => x - y),
    items,
  );
  assert.deepEqual(new SeededRandom(1).shuffled(items), out);
});
