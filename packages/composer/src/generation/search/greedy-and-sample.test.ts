import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { generate } from "../generate.js";
import { ToyModel, type ToyTable } from "../test-support/toy-model.js";
import { sampleToken } from "./sample.js";
import { multinomialSampler } from "./sampler.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b".
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;

const table: ToyTable = {
  "7|1": { 3: 0.6, 2: 0.4 },
  "7|1,3": { 2: 0.9, 3: 0.1 },
  "8|1": { 4: 0.8, 2: 0.2 },
  "8|1,4": { 4: 0.7, 2: 0.3 },
  "8|1,4,4": { 4: 0.6, 2: 0.4 },
};
const inputs = { inputIds: [[7], [8]] };

test("greedy search pads finished rows, stops when every row has ended or at maxLength", async () => {
  const t: ToyTable = { ...table, "8|1,4,4,4": { 2: 1 } };
  const model = new ToyModel(5, t);
  const out = await generate(model, inputs, { ...special, maxLength: 10 });
  assert.equal(model.live.size, 0, "every cache and encoder state disposed");
  assert.deepEqual(out.sequences, [
    [1, 3, 2, 0, 0],
    [1, 4, 4, 4, 2],
  ]);
  const capped = await generate(new ToyModel(5, t), inputs, { ...special, maxLength: 3 });
  assert.deepEqual(capped.sequences, [
    [1, 3, 2],
    [1, 4, 4],
  ]);
  const newTokens = await generate(new ToyModel(5, t), inputs, { ...special, maxLength: 100, maxNewTokens: 2 });
  assert.deepEqual(newTokens.sequences, capped.sequences, "maxNewTokens wins over maxLength");
});

test("greedy search with minLength masks eos until the length is reached", async () => {
  const t: ToyTable = { "1": { 2: 0.9, 3: 0.1 }, "1,3": { 2: 0.9, 4: 0.1 }, "1,3,4": { 2: 1 } };
  const out = await generate(new ToyModel(5, t), { inputIds: [[7]] }, { ...special, minLength: 3 });
  assert.deepEqual(out.sequences, [[1, 3, 4, 2]]);
});

test("greedy ids are the same with and without the cache", async () => {
  const t: ToyTable = { ...table, "8|1,4,4,4": { 2: 1 } };
  const a = await generate(new ToyModel(5, t), inputs, { ...special, useCache: true });
  const b = await generate(new ToyModel(5, t), inputs, { ...special, useCache: false });
  assert.deepEqual(a, b);
});

test("sampling is reproducible for a seed and follows the distribution", async () => {
  const t: ToyTable = { "1": { 2: 0.25, 3: 0.25, 4: 0.5 } };
  const cfg = { ...special, doSample: true, maxLength: 6, numReturnSequences: 8 } as const;
  const a = await generate(new ToyModel(5, t), { inputIds: [[7]] }, { ...cfg, seed: 42 });
  const b = await generate(new ToyModel(5, t), { inputIds: [[7]] }, { ...cfg, seed: 42 });
  const c = await generate(new ToyModel(5, t), { inputIds: [[7]] }, { ...cfg, seed: 43 });
  assert.equal(a.sequences.length, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.sequences, c.sequences);

  const random = new SeededRandom(7);
  const scores = Float64Array.from([0.1, 0.2, 0.7].map(Math.log));
  const counts = [0, 0, 0];
  const sampler = multinomialSampler(random);
  for (let i = 0; i < 20000; i++) counts[sampleToken(sampler, scores, 0, 3)]!++;
  counts.forEach((n, i) => assert.ok(Math.abs(n / 20000 - [0.1, 0.2, 0.7][i]!) < 0.015, `token ${i}: ${n}`));
});

test("sampling with topK 1 is greedy search", async () => {
  const t: ToyTable = { ...table, "8|1,4,4,4": { 2: 1 } };
  const greedy = await generate(new ToyModel(5, t), inputs, special);
  const sampled = await generate(new ToyModel(5, t), inputs, { ...special, doSample: true, topK: 1, seed: 3 });
  assert.deepEqual(sampled.sequences, greedy.sequences);
});

test("the seeded generator is deterministic and uniform on [0, 1)", () => {
  const a = new SeededRandom(123);
  const b = new SeededRandom(123);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const x = a.float();
    assert.equal(x, b.float());
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
  assert.notEqual(new SeededRandom(1).float(), new SeededRandom(2).float());
});
