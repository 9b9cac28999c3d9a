import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { assertClose } from "@warmstart/test-utils";
import { generate } from "../generate.js";
import type { GenerationConfig } from "../configuration.js";
import { mergeGenerationConfig } from "../configuration.js";
import { GenerationError } from "../errors.js";
import { buildLogitsProcessors } from "../logits-processors.js";
import { ToyModel, type ToyTable } from "../test-support/toy-model.js";
import { multinomialSampler, type CandidateSampler } from "./sampler.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b".
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;
const source = { inputIds: [[9, 9]] };

/**
 * Step 1: eos wins outright (finished [1,2], score log .4 / 1).
 * Step 2: "a a"/"b b" continue, [1,3,2] finishes at rank 1 (log .21 / 2): the finished set (2 beams) is full.
 * Step 3: [1,4,4,2] (log .21375 / 3) and [1,3,3,2] (log .105 / 3) would beat both, if the search goes on.
 */
const fullEarly: ToyTable = {
  "1": { 2: 0.4, 3: 0.35, 4: 0.25 },
  "1,3": { 2: 0.6, 3: 0.3, 4: 0.1 },
  "1,4": { 4: 0.9, 2: 0.1 },
  "1,4,4": { 2: 0.95, 3: 0.05 },
  "1,3,3": { 2: 1 },
};

function beams(table: ToyTable, cfg: Partial<GenerationConfig>, inputs = source) {
  const model = new ToyModel(5, table);
  // Every beam test also checks that beams never take over another input's cache rows.
  model.reorderBlock = cfg.numBeams ?? 2;
  return { model, result: generate(model, inputs, { ...special, numBeams: 2, maxLength: 4, ...cfg }) };
}

test("early stopping true stops once numBeams hypotheses are finished; shorter rows are filled with eos when pad is 0", async () => {
  const { model, result } = beams(fullEarly, { earlyStopping: true, numReturnSequences: 2 });
  const out = await result;
  // [1,2] is filled up to the longest returned row; transformers fills with `pad_token_id or eos_token_id[0]`, and
  // a pad id of 0 is falsy, so eos (2) is the fill.
  assert.deepEqual(out.sequences, [
    [1, 3, 2],
    [1, 2, 2],
  ]);
  assertClose(out.sequencesScores!, [Math.log(0.21) / 2, Math.log(0.4)], 1e-6, "scores");
  assert.equal(model.decodeSteps, 2);
  assert.equal(model.live.size, 0, "every cache and encoder state disposed");
});

test("early stopping false continues while a running beam can still beat the worst finished one", async () => {
  // After step 2 the best running beam scores log .225 / 2 = -0.746 > worst finished log .4 = -0.916.
  const out = await beams(fullEarly, { earlyStopping: false, numReturnSequences: 2 }).result;
  assert.deepEqual(out.sequences, [
    [1, 4, 4, 2],
    [1, 3, 3, 2],
  ]);
  assertClose(out.sequencesScores!, [Math.log(0.21375) / 3, Math.log(0.105) / 3], 1e-6, "scores");
});

/**
 * Step 1: a .5, b .3, eos .2 (eos ranks 2 >= numBeams: not a hypothesis).
 * Step 2: [1,3,2] (.3) and [1,4,2] (.27) finish at ranks 0 and 1; "a a" (.2) and "b b" (.03) run on.
 * Step 3: [1,3,3,2] = log(.198) / 3 = -0.540 would beat log(.3) / 2 = -0.602.
 */
const lateWinner: ToyTable = {
  "1": { 3: 0.5, 4: 0.3, 2: 0.2 },
  "1,3": { 2: 0.6, 3: 0.4 },
  "1,4": { 2: 0.9, 4: 0.1 },
  "1,3,3": { 2: 0.99, 3: 0.01 },
  "1,4,4": { 2: 1 },
};

test('early stopping false stops on the current-length heuristic, "never" on the max-length bound', async () => {
  // false: best running log(.2) / 2 = -0.805 cannot beat worst finished log(.27) / 2 = -0.655 -> stop at length 3.
  const stopped = await beams(lateWinner, { earlyStopping: false }).result;
  assert.deepEqual(stopped.sequences, [[1, 3, 2]]);
  assertClose(stopped.sequencesScores!, [Math.log(0.3) / 2], 1e-6, "false");
  // "never" with lengthPenalty > 0 bounds by maxLength - 1 = 3 generated tokens: log(.2) / 3 = -0.536 > -0.655.
  const never = await beams(lateWinner, { earlyStopping: "never" }).result;
  assert.deepEqual(never.sequences, [[1, 3, 3, 2]]);
  assertClose(never.sequencesScores!, [Math.log(0.198) / 3], 1e-6, "never");
});

test("length penalty divides by the generated length (start excluded, eos included)", async () => {
  // lengthPenalty 0: raw sums, and "never" falls back to the current-length bound (as in Hugging Face), so the
  // search stops at length 3 with [1,3,2] = log .3.
  const raw = await beams(lateWinner, { earlyStopping: "never", lengthPenalty: 0 }).result;
  assert.deepEqual(raw.sequences, [[1, 3, 2]]);
  assertClose(raw.sequencesScores!, [Math.log(0.3)], 1e-6, "lp 0");
  // lengthPenalty 2 with "never": log(.198) / 9 = -0.180 beats log(.3) / 4 = -0.301.
  const long = await beams(lateWinner, { earlyStopping: "never", lengthPenalty: 2 }).result;
  assert.deepEqual(long.sequences, [[1, 3, 3, 2]]);
  assertClose(long.sequencesScores!, [Math.log(0.198) / 9], 1e-6, "lp 2");
});

test("the output is as wide as the longest returned hypothesis, not the length the loop reached", async () => {
  // Step 1 finishes [1,2] (log .4); later steps never rank eos in the top 2 until maxLength stops everything.
  const table: ToyTable = {
    "1": { 2: 0.4, 3: 0.35, 4: 0.25 },
    "1,3": { 3: 0.9, 2: 0.1 },
    "1,4": { 4: 0.9, 2: 0.1 },
    "1,3,3": { 3: 0.6, 2: 0.4 },
  };
  const out = await beams(table, { earlyStopping: true, lengthPenalty: 0, numReturnSequences: 2 }).result;
  assert.deepEqual(out.sequences, [
    [1, 2, 2, 2],
    [1, 3, 3, 3],
  ]);
  assertClose(out.sequencesScores!, [Math.log(0.4), Math.log(0.35 * 0.9 * 0.6)], 1e-6, "scores");
  // Only the best is returned: the loop reached length 4, the output is cropped to [1,2].
  const best = await beams(table, { earlyStopping: true, lengthPenalty: 0, numReturnSequences: 1 }).result;
  assert.deepEqual(best.sequences, [[1, 2]]);
  // A non-zero pad id is the fill.
  const padded = await beams(table, { earlyStopping: true, lengthPenalty: 0, numReturnSequences: 2, padTokenId: 4 })
    .result;
  assert.deepEqual(padded.sequences[0], [1, 2, 4, 4]);
  // No pad id: the first eos id, as transformers.
  const unset = await generate(new ToyModel(5, table), source, {
    decoderStartTokenId: 1,
    eosTokenId: 2,
    numBeams: 2,
    maxLength: 4,
    earlyStopping: true,
    lengthPenalty: 0,
    numReturnSequences: 2,
  });
  assert.deepEqual(unset.sequences[0], [1, 2, 2, 2]);
});

test("min length and no-repeat-ngram act on the beams' log-probabilities", async () => {
  // minLength 3 bans eos at lengths 1 and 2 without renormalising: "a a" = log(.5 * .4), "b b" = log(.3 * .1);
  // at length 3 eos is allowed and maxLength 4 stops everything.
  const minLen = await beams(lateWinner, { minLength: 3, earlyStopping: true }).result;
  assert.deepEqual(minLen.sequences, [[1, 3, 3, 2]]);
  assertClose(minLen.sequencesScores!, [Math.log(0.5 * 0.4 * 0.99) / 3], 1e-6, "min length");
  // After [1,3,3] the bigram (3,3) exists, so a third "a" is banned and eos (.1) is the only finite choice.
  const table: ToyTable = { "1": { 3: 1 }, "1,3": { 3: 1 }, "1,3,3": { 3: 0.9, 2: 0.1 } };
  const free = await beams(table, { earlyStopping: true }).result;
  assert.deepEqual(free.sequences, [[1, 3, 3, 3]]);
  const banned = await beams(table, { noRepeatNgramSize: 2, earlyStopping: true }).result;
  assert.deepEqual(banned.sequences, [[1, 3, 3, 2]]);
  assertClose(banned.sequencesScores!, [Math.log(0.1) / 3], 1e-6, "no-repeat");
});

test("batched inputs: beams of input 0 come first and each input follows its own table", async () => {
  const table: ToyTable = {
    "7|1": { 3: 0.7, 2: 0.3 },
    "7|1,3": { 2: 1 },
    "8|1": { 4: 0.6, 2: 0.4 },
    "8|1,4": { 2: 1 },
  };
  const { model, result } = beams(table, { earlyStopping: true, numReturnSequences: 2, maxLength: 5 }, {
    inputIds: [
      [7, 5, 5],
      [8, 5, 0],
    ],
    attentionMask: [
      [1, 1, 1],
      [1, 1, 0],
    ],
  } as typeof source);
  const out = await result;
  assert.deepEqual(out.sequences, [
    [1, 3, 2],
    [1, 2, 2],
    [1, 4, 2],
    [1, 2, 2],
  ]);
  assertClose(out.sequencesScores!, [Math.log(0.7) / 2, Math.log(0.3), Math.log(0.6) / 2, Math.log(0.4)], 1e-6, "s");
  assert.equal(model.encodedRows, 2, "the encoder runs once per input, not per beam");
});

test("cache and no-cache runs give identical beams; the cache feeds one position per row", async () => {
  const withCache = beams(fullEarly, { earlyStopping: "never", numReturnSequences: 2 });
  const without = beams(fullEarly, { earlyStopping: "never", numReturnSequences: 2, useCache: false });
  const [a, b] = [await withCache.result, await without.result];
  assert.deepEqual(a, b);
  assert.ok(withCache.model.positionsFed < without.model.positionsFed);
  assert.equal(withCache.model.live.size, 0);
});

test("output scores: one [rows, vocab] matrix of processed log-probabilities per step", async () => {
  const out = await beams(fullEarly, { earlyStopping: true, outputScores: true }).result;
  assert.equal(out.scores!.length, 2);
  assert.equal(out.scores![0]!.length, 2 * 5);
  assertClose([out.scores![0]![2]!], [Math.log(0.4)], 1e-6, "eos log-prob at step 1");
});

/** Every token possible, so beam sampling can always draw 2 * numBeams distinct candidates. */
const dense: ToyTable = {
  "1": { 0: 0.05, 1: 0.05, 2: 0.2, 3: 0.4, 4: 0.3 },
  "1,3": { 0: 0.1, 1: 0.1, 2: 0.5, 3: 0.2, 4: 0.1 },
  "1,4": { 0: 0.1, 1: 0.1, 2: 0.1, 3: 0.2, 4: 0.5 },
};

test("beam sampling with a sampler that draws the best candidates in order is beam search", async () => {
  const best: CandidateSampler = (probs, count) =>
    [...probs.keys()].sort((a, b) => probs[b]! - probs[a]! || a - b).slice(0, count);
  const cfg = { ...special, numBeams: 2, maxLength: 5, numReturnSequences: 2, topK: 0 };
  const searched = await generate(new ToyModel(5, dense), source, cfg);
  const sampled = await generate(new ToyModel(5, dense), source, { ...cfg, doSample: true }, { sampler: best });
  assert.deepEqual(sampled, searched);
});

test("beam sampling: a seed fixes the result, another seed changes it; the draws come from all beams of an input", async () => {
  const cfg = { ...special, numBeams: 2, maxLength: 6, numReturnSequences: 2, doSample: true, topK: 0 };
  const runs = await Promise.all(
    [1, 1, 2, 3, 4, 5].map((seed) =>
      generate(
        new ToyModel(5, dense),
        {
          inputIds: [
            [9, 9],
            [8, 8],
          ],
        },
        { ...cfg, seed },
      ),
    ),
  );
  assert.deepEqual(runs[0], runs[1]);
  assert.ok(runs.slice(2).some((r) => JSON.stringify(r.sequences) !== JSON.stringify(runs[0]!.sequences)));
  for (const r of runs) assert.equal(r.sequences.length, 4);
  let offered = 0;
  const counting: CandidateSampler = (probs, count) => {
    offered = probs.length;
    assert.equal(count, 4, "max(2, 1 + #eos) * numBeams candidates");
    return [...probs.keys()].slice(0, count);
  };
  await generate(new ToyModel(5, dense), source, cfg, { sampler: counting });
  assert.equal(offered, 2 * 5, "numBeams * vocab candidates per input");
});

test("beam sampling keeps at least max(2, 1 + #eos) tokens per beam through the warpers, as transformers", async () => {
  const withBeams = buildLogitsProcessors(
    mergeGenerationConfig({ doSample: true, topK: 1, topP: 0.1, numBeams: 3 }),
    [2, 3],
  );
  const scores = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.log));
  withBeams.process([[1]], scores, 5);
  assert.equal([...scores].filter((s) => s !== -Infinity).length, 3);
  const single = buildLogitsProcessors(mergeGenerationConfig({ doSample: true, topK: 1 }), [2, 3]);
  const one = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.log));
  single.process([[1]], one, 5);
  assert.equal([...one].filter((s) => s !== -Infinity).length, 1);
});

test("beam sampling refuses fewer possible candidates than it must draw, and more return sequences than beams", async () => {
  // fullEarly's first step has 3 possible tokens; 2 beams draw 4 candidates (torch.multinomial raises as well).
  await assert.rejects(
    generate(new ToyModel(5, fullEarly), source, { ...special, numBeams: 2, doSample: true, topK: 0 }),
    (e: unknown) => e instanceof GenerationError && /only 3 have a non-zero probability/.test(e.message),
  );
  await assert.rejects(
    generate(new ToyModel(5, dense), source, { ...special, numBeams: 2, doSample: true, numReturnSequences: 3 }),
    (e: unknown) => e instanceof GenerationError && e.code === "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS",
  );
});

test("a sampler without doSample is refused rather than ignored", async () => {
  const sampler: CandidateSampler = (probs, count) => [...probs.keys()].slice(0, count);
  for (const numBeams of [1, 2]) {
    await assert.rejects(
      generate(new ToyModel(5, dense), source, { ...special, numBeams, topK: 0 }, { sampler }),
      (e: unknown) => e instanceof GenerationError && e.setting === "doSample",
    );
  }
});

test("the multinomial sampler draws without replacement, in proportion to the weights left", () => {
  const sampler = multinomialSampler(new SeededRandom(5));
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) {
    const [first, second] = sampler(Float64Array.from([0.5, 0.3, 0.2, 0]), 2);
    assert.notEqual(first, second);
    assert.notEqual(second, 3, "a zero weight is never drawn");
    if (first === 0) counts[second!]!++;
  }
  // Given 0 first, the second is 1 with 0.3 / 0.5 and 2 with 0.2 / 0.5.
  const total = counts[1]! + counts[2]!;
  assert.ok(Math.abs(counts[1]! / total - 0.6) < 0.02, `second draw after 0: ${counts}`);
});
