import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { generate } from "../generate.js";
import { GenerationError } from "../errors.js";
import { ToyModel, type ToyTable } from "../test-support/toy-model.js";
import { applyHammingDiversity, LegacyBeamHypotheses } from "./group-beam-search.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b".
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;

test("Hamming diversity lowers a group's scores by the penalty times the earlier groups' picks of each token", () => {
  // 2 inputs x 4 beams, groups of 2; group 1 sees the tokens of group 0 (beams 0-1) of its own input.
  const current = [3, 3, 9, 9, 4, 1, 9, 9];
  const scores = new Float64Array(4 * 5);
  applyHammingDiversity(scores, 5, current, 4, 2, 1, 0.5);
  assert.deepEqual(Array.from(scores.subarray(0, 5)), [0, 0, 0, -1, 0]);
  assert.deepEqual(Array.from(scores.subarray(5, 10)), [0, 0, 0, -1, 0]);
  assert.deepEqual(Array.from(scores.subarray(10, 15)), [0, -0.5, 0, 0, -0.5]);
  const first = new Float64Array(4 * 5);
  applyHammingDiversity(first, 5, current, 4, 2, 0, 0.5);
  assert.ok(
    first.every((v) => v === 0),
    "group 0 is never penalised",
  );
});

test("LegacyBeamHypotheses keeps the best, drops the lowest, and stops by transformers 4.x's rule", () => {
  const hyps = new LegacyBeamHypotheses(2, 1, false, 10);
  hyps.add([1, 3], -1, 1);
  hyps.add([1, 4], -3, 1);
  hyps.add([1, 3, 3], -4, 2); // -2 beats -3
  assert.deepEqual(
    hyps.beams.map((b) => b.score),
    [-1, -2],
  );
  assert.equal(hyps.isDone(-4.2, 3, 1), true); // -4.2 / 2 = -2.1 cannot beat -2
  assert.equal(hyps.isDone(-3.8, 3, 1), false);
  assert.equal(new LegacyBeamHypotheses(2, 1, "never", 10).isDone(-1, 3, 1), false);
});

const table: ToyTable = {
  "1": { 3: 0.6, 4: 0.4 },
  "1,3": { 2: 0.9, 3: 0.1 },
  "1,4": { 2: 0.9, 4: 0.1 },
};

test("diverse beam search: the second group avoids the first group's token; hypotheses end with eos", async () => {
  const model = new ToyModel(5, table);
  model.reorderBlock = 2;
  const out = await generate(
    model,
    { inputIds: [[9, 9]] },
    { ...special, numBeams: 2, numBeamGroups: 2, diversityPenalty: 10, numReturnSequences: 2, maxLength: 4 },
  );
  assert.deepEqual(out.sequences, [
    [1, 3, 2],
    [1, 4, 2],
  ]);
  assertClose(out.sequencesScores!, [Math.log(0.54) / 2, Math.log(0.36) / 2], 1e-6);
});

test("diverse beam search settings are checked as transformers does", async () => {
  const model = new ToyModel(5, table);
  const run = (cfg: object) =>
    generate(model, { inputIds: [[9, 9]] }, { ...special, numBeams: 4, maxLength: 4, ...cfg });
  for (const [cfg, field] of [
    [{ numBeamGroups: 3, diversityPenalty: 1 }, "numBeamGroups"],
    [{ numBeamGroups: 2 }, "diversityPenalty"],
    [{ diversityPenalty: 1 }, "diversityPenalty"],
    [{ numBeamGroups: 2, diversityPenalty: 1, doSample: true }, "numBeamGroups"],
  ] as const) {
    await assert.rejects(
      run(cfg),
      (e: unknown) => e instanceof GenerationError && e.setting === field,
      JSON.stringify(cfg),
    );
  }
});
