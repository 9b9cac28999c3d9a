import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { generate } from "./generate.js";
import { GenerationError } from "./errors.js";
import { MinLengthLogitsProcessor, type LogitsProcessor } from "./logits-processors.js";
import { MaxTimeCriteria, StopStringCriteria, type StoppingCriteria } from "./stopping-criteria.js";
import { computeTransitionScores } from "./transition-scores.js";
import { ToyModel, type ToyTable } from "./test-support/toy-model.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b".
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;
const source = { inputIds: [[9, 9]] };
const aThenB: ToyTable = { "1": { 3: 0.6, 4: 0.4 }, "1,3": { 4: 0.7, 3: 0.3 }, "1,3,4": { 3: 0.5, 4: 0.5 } };

test("maxTime stops every row once the injected clock has run past it (no real time involved)", async () => {
  let now = 100;
  const clock = () => now++;
  const out = await generate(new ToyModel(5, {}), source, { ...special, maxTime: 2.5, maxLength: 10 }, { clock });
  // The criterion is made at t=100; the checks after steps 1..3 see 101, 102, 103 > 102.5.
  assert.equal(out.sequences[0]!.length, 4);
  const criterion = new MaxTimeCriteria(1, { clock: () => 5, initialTimestamp: 3 });
  assert.deepEqual(criterion.isDone([[1], [1]]), [true, true]);
  // Beam search: every candidate hits it, so the search ends (transformers: no valid continuation).
  now = 0;
  const beams = await generate(
    new ToyModel(5, {}),
    source,
    { ...special, numBeams: 2, maxTime: 1.5, maxLength: 10 },
    { clock },
  );
  assert.equal(beams.sequences[0]!.length, 3);
});

test("stop strings match at the end, across tokens, with overhangs, as transformers' StopStringCriteria", () => {
  const table = new Map<number, string>([
    [3, " st"],
    [4, "op"],
    [5, "stop"],
    [6, "opera"],
    [7, "at"],
    [8, "las"],
    [9, "topper"],
    [10, "s"],
    [11, "to"],
    [12, "pped"],
    [13, ""],
  ]);
  const c = new StopStringCriteria(table, ["stop"]);
  const done = (row: number[]) => c.isDone([row])[0];
  for (const row of [[3, 4], [5], [3, 6], [8, 9], [10, 11, 12], [1, 10, 11, 13, 12]]) {
    assert.equal(done(row), true, String(row));
  }
  for (const row of [[5, 7], [3, 4, 7], [3, 6, 7], [4], [11, 12], [99]]) assert.equal(done(row), false, String(row));
  // At most max(stop length) tokens are looked at: four tokens fit "stop", a fifth empty one pushes "s" out.
  assert.equal(done([10, 13, 11, 13, 12]), false);
  assert.throws(() => new StopStringCriteria(table, []), GenerationError);
});

test('the token-text table: each token decoded after the tokens of "abcdef", cut after the prefix', async () => {
  const words = ["[PAD]", "[CLS]", "[SEP]", "abc", "##def", "hello", "##lo", "wor"];
  // WordPiece-like decoding: word tokens get a space before them, "##" pieces join.
  const decode = (ids: readonly number[]) =>
    ids.map((id, i) => (words[id]!.startsWith("##") ? words[id]!.slice(2) : (i > 0 ? " " : "") + words[id]!)).join("");
  const c = await StopStringCriteria.fromTokenizer({ decode, vocabSize: words.length, prefixIds: [3, 4] }, "lo wor");
  assert.equal(c.tokenStrings.get(5), " hello");
  assert.equal(c.tokenStrings.get(6), "lo");
  assert.equal(c.tokenStrings.get(1), " [CLS]");
  assert.deepEqual(
    c.isDone([
      [1, 5, 7],
      [1, 6, 7],
      [1, 7, 7],
    ]),
    [true, true, false],
  );
});

test("generate with stopStrings needs a tokenizer and stops the row whose text ends with the string", async () => {
  const decode = (ids: readonly number[]) =>
    ids.map((id) => ["", "", "", "a", "b", "a", "b", "c", "d", "e", "f"][id] ?? "").join("");
  const tokenizer = { decode, vocabSize: 5, prefixIds: [5, 6, 7, 8, 9, 10] };
  await assert.rejects(
    generate(new ToyModel(5, aThenB), source, { ...special, stopStrings: "ab" }),
    (e: unknown) => e instanceof GenerationError && e.setting === "stopStrings",
  );
  const out = await generate(
    new ToyModel(5, aThenB),
    source,
    { ...special, stopStrings: ["ab"], maxLength: 8 },
    { tokenizer },
  );
  assert.deepEqual(out.sequences, [[1, 3, 4]]);
});

test("custom stopping criteria and logits processors: merged as transformers 5, honoured by beam search", async () => {
  const afterTwo: StoppingCriteria = { isDone: (ids) => ids.map((row) => row.length >= 3) };
  const greedy = await generate(
    new ToyModel(5, aThenB),
    source,
    { ...special, maxLength: 8 },
    { stoppingCriteria: [afterTwo] },
  );
  assert.deepEqual(greedy.sequences, [[1, 3, 4]]);
  const beam = await generate(
    new ToyModel(5, aThenB),
    source,
    { ...special, numBeams: 2, maxLength: 8 },
    { stoppingCriteria: [afterTwo] },
  );
  assert.equal(beam.sequences[0]!.length, 3);
  const calls: string[] = [];
  const banA: LogitsProcessor = {
    process(ids, scores, vocab) {
      calls.push("custom");
      for (let r = 0; r < ids.length; r++) scores[r * vocab + 3] = -Infinity;
    },
  };
  const banned = await generate(
    new ToyModel(5, aThenB),
    source,
    { ...special, maxLength: 2 },
    { logitsProcessors: [banA] },
  );
  assert.deepEqual(banned.sequences, [[1, 4]]);
  assert.ok(calls.length > 0);
  // A custom processor of a built-in class takes the built-in one's place: min length 1 instead of 3.
  const eosFirst: ToyTable = { "1": { 2: 0.9, 3: 0.1 }, "1,3": { 2: 0.9, 3: 0.1 } };
  const replaced = await generate(
    new ToyModel(5, eosFirst),
    source,
    { ...special, minLength: 3, maxLength: 5 },
    {
      logitsProcessors: [new MinLengthLogitsProcessor(2, [2])],
    },
  );
  assert.deepEqual(replaced.sequences, [[1, 3, 2]]);
});

test("prefixAllowedTokensFn constrains every row by its batch id", async () => {
  const inputs = { inputIds: [[7], [8]] };
  const fn = (batchId: number) => (batchId === 0 ? [4] : [3, 2]);
  const out = await generate(new ToyModel(5, {}), inputs, { ...special, maxLength: 3 }, { prefixAllowedTokensFn: fn });
  assert.deepEqual(out.sequences, [
    [1, 4, 4],
    [1, 2, 0],
  ]);
  await assert.rejects(
    generate(new ToyModel(5, {}), inputs, { ...special, maxLength: 3 }, { prefixAllowedTokensFn: () => [] }),
    GenerationError,
  );
});

test("returnDictInGenerate: transformers' fields; beamIndices and computeTransitionScores rebuild the beam scores", async () => {
  const table: ToyTable = { "1": { 3: 0.5, 4: 0.3, 2: 0.2 }, "1,3": { 2: 0.6, 3: 0.4 }, "1,4": { 2: 0.9, 4: 0.1 } };
  const cfg = { ...special, numBeams: 2, numReturnSequences: 2, maxLength: 4, earlyStopping: true, lengthPenalty: 1 };
  const plain = await generate(new ToyModel(5, table), source, { ...cfg, returnDictInGenerate: true });
  assert.deepEqual(Object.keys(plain).sort(), ["beamIndices", "sequences"], "no scores without outputScores");
  const out = await generate(new ToyModel(5, table), source, {
    ...cfg,
    returnDictInGenerate: true,
    outputScores: true,
    outputLogits: true,
  });
  assert.deepEqual(out.sequences, [
    [1, 3, 2],
    [1, 4, 2],
  ]);
  // Step 1 expands beam 0 only; step 2: "a" lives in row 0, "b" in row 1.
  assert.deepEqual(out.beamIndices, [
    [0, 0],
    [0, 1],
  ]);
  assert.equal(out.logits!.length, 2);
  const transition = computeTransitionScores(out.sequences, out.scores!, out.beamIndices, false, 5);
  assertClose(transition.flat(), [Math.log(0.5), Math.log(0.6), Math.log(0.3), Math.log(0.9)], 1e-6, "transitions");
  transition.forEach((row, i) => assertClose([(row[0]! + row[1]!) / 2], [out.sequencesScores![i]!], 1e-6, "score"));
  // Greedy: row r of every step; normalizeLogits log-softmaxes the raw logits.
  const greedy = await generate(new ToyModel(5, table), source, {
    ...special,
    maxLength: 3,
    outputScores: true,
    returnDictInGenerate: true,
  });
  assert.equal(greedy.beamIndices, undefined);
  assertClose(
    computeTransitionScores(greedy.sequences, greedy.scores!, undefined, true)[0]!,
    [Math.log(0.5), Math.log(0.6)],
    1e-6,
    "greedy",
  );
});

test("computeTransitionScores: positions after a beam ended are 0 and the columns are cut to the longest beam", () => {
  const vocab = 2;
  const scores = [
    Float32Array.from([-1, -2, -3, -4]),
    Float32Array.from([-5, -6, -7, -8]),
    Float32Array.from([0, 0, 0, 0]),
  ];
  const sequences = [
    [9, 1, 0],
    [9, 0, 1],
  ];
  const beamIndices = [
    [0, -1, -1],
    [1, 0, -1],
  ];
  assert.deepEqual(computeTransitionScores(sequences, scores, beamIndices, false, vocab), [
    [-2, 0],
    [-3, -6],
  ]);
});
