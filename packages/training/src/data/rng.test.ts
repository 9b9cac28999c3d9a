import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng, shuffled } from "./rng.js";

test("Rng is deterministic per seed and resumes from its state", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    first,
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    first,
    Array.from({ length: 5 }, () => new Rng(43).nextUint32()),
  );
  const state = a.getState();
  const rest = Array.from({ length: 5 }, () => a.float());
  const resumed = Rng.fromState(state);
  assert.deepEqual(
    Array.from({ length: 5 }, () => resumed.float()),
    rest,
  );
  assert.throws(() => Rng.fromState([1, 2, 3]), { code: "INVALID_STATE" });
});

test("Rng.int is uniform enough and in range; shuffled is a permutation", () => {
  const rng = new Rng(7);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 60000; i++) {
    const k = rng.int(6);
    counts[k] = (counts[k] as number) + 1;
  }
  for (const c of counts) assert.ok(c > 9000 && c < 11000, `count ${c} far from 10000`);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = shuffled(items, new Rng(1));
  assert.notDeepEqual(out, items);
  assert.deepEqual(
    out.slice().sort((x, y) => x - y),
    items,
  );
});
