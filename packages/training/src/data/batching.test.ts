import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchIterator, planEpoch } from "./batching.js";

test("planEpoch covers every example once, reshuffles per epoch, and replays from the seed", () => {
  const options = { batchSize: 4, seed: 3 };
  const e0 = planEpoch(10, 0, options);
  assert.deepEqual(
    e0.map((b) => b.length),
    [4, 4, 2],
  );
  assert.deepEqual(
    e0.flat().sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(planEpoch(10, 0, options), e0);
  assert.notDeepEqual(planEpoch(10, 1, options), e0);
  assert.deepEqual(planEpoch(10, 0, { ...options, shuffle: false }).flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(
    planEpoch(10, 0, { ...options, dropLast: true }).map((b) => b.length),
    [4, 4],
  );
});

test("length grouping puts similar lengths together", () => {
  const lengths = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
  const batches = planEpoch(64, 0, { batchSize: 8, seed: 1, lengths });
  assert.deepEqual(
    batches.flat().sort((a, b) => a - b),
    Array.from({ length: 64 }, (_, i) => i),
  );
  // One mega-batch holds all 64, sorted by length: each batch spans 8 consecutive lengths.
  for (const batch of batches) {
    const ls = batch.map((i) => lengths[i] as number);
    assert.equal(Math.max(...ls) - Math.min(...ls), 7);
  }
  const padding = (bs: number[][]): number =>
    bs.reduce(
      (sum, b) =>
        sum + b.reduce((s, i) => s + Math.max(...b.map((k) => lengths[k] as number)) - (lengths[i] as number), 0),
      0,
    );
  assert.ok(padding(batches) < padding(planEpoch(64, 0, { batchSize: 8, seed: 1 })));
});

test("BatchIterator continues across epochs and resumes from a saved position", () => {
  const options = { batchSize: 3, seed: 9 };
  const whole = new BatchIterator(7, options);
  const seen = Array.from({ length: 8 }, () => whole.next());
  assert.deepEqual(
    seen.map((b) => [b.epoch, b.batch]),
    [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
      [2, 0],
      [2, 1],
    ],
  );
  const first = new BatchIterator(7, options);
  for (let i = 0; i < 4; i++) first.next();
  const saved = first.position;
  assert.deepEqual(saved, { epoch: 1, batch: 1 });
  const resumed = new BatchIterator(7, options, saved);
  assert.deepEqual(
    Array.from({ length: 4 }, () => resumed.next()),
    seen.slice(4),
  );
});
