import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeGenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";
import {
  buildLogitsProcessors,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  TopKLogitsWarper,
  TopPLogitsWarper,
} from "./logits-processors.js";

const NEG = -Infinity;

function run(
  p: { process(ids: number[][], s: Float64Array, v: number): void },
  ids: number[][],
  rows: number[][],
): number[][] {
  const v = rows[0]!.length;
  const scores = Float64Array.from(rows.flat());
  p.process(ids, scores, v);
  return rows.map((_, r) => Array.from(scores.subarray(r * v, (r + 1) * v)));
}

test("min length bans every eos id while the sequence is shorter, and nothing afterwards", () => {
  const p = new MinLengthLogitsProcessor(3, [2, 4]);
  const row = [0.5, 1, 2, -1, 3];
  assert.deepEqual(run(p, [[1, 7]], [row]), [[0.5, 1, NEG, -1, NEG]]);
  // Length 3 (start token included) reaches minLength 3: untouched.
  assert.deepEqual(run(p, [[1, 7, 8]], [row]), [row]);
});

test("no-repeat-ngram bans exactly the tokens that would repeat an n-gram", () => {
  const p = new NoRepeatNGramLogitsProcessor(3);
  // Sequence 1 5 6 7 5 6: the suffix (5, 6) was followed by 7 once -> only 7 banned.
  assert.deepEqual(p.bannedTokens([1, 5, 6, 7, 5, 6]), [7]);
  // Suffix (5, 6) followed by 7 and by 8 earlier -> both banned.
  assert.deepEqual(p.bannedTokens([5, 6, 7, 5, 6, 8, 5, 6]).sort(), [7, 8]);
  // Suffix (6, 5) never occurred before as a bigram start -> nothing banned.
  assert.deepEqual(p.bannedTokens([1, 5, 6, 7, 6, 5]), []);
  // Fewer than n - 1 tokens of context.
  assert.deepEqual(p.bannedTokens([5]), []);
  // Bigram size: every token that followed the last token is banned.
  assert.deepEqual(new NoRepeatNGramLogitsProcessor(2).bannedTokens([4, 2, 4, 3, 4]).sort(), [2, 3]);
  // Unigram size: every token already present is banned.
  assert.deepEqual(new NoRepeatNGramLogitsProcessor(1).bannedTokens([4, 2, 4]).sort(), [2, 4]);

  const scores = run(
    p,
    [
      [1, 2, 3, 1, 2],
      [0, 0, 0, 0, 0],
    ],
    [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ],
  );
  assert.deepEqual(scores, [
    [0, 0, 0, NEG, 0],
    [NEG, 0, 0, 0, 0],
  ]);
  assert.throws(() => new NoRepeatNGramLogitsProcessor(0), GenerationError);
});

test("repetition penalty divides positive and multiplies negative scores of seen tokens, once each", () => {
  const p = new RepetitionPenaltyLogitsProcessor(2);
  // Tokens 1 (twice) and 3 were generated; 0 and 2 were not.
  assert.deepEqual(run(p, [[1, 3, 1]], [[4, 4, -4, -3, 0.5]]), [[4, 2, -4, -6, 0.5]]);
  // A penalty below 1 rewards repetition symmetrically.
  assert.deepEqual(run(new RepetitionPenaltyLogitsProcessor(0.5), [[0, 1]], [[2, -2]]), [[4, -1]]);
  assert.throws(() => new RepetitionPenaltyLogitsProcessor(0), GenerationError);
});

test("bad words: single tokens always, sequences only after their prefix; eos-only entries ignored", () => {
  const p = new NoBadWordsLogitsProcessor([[4], [2, 3], [5]], [5]);
  assert.deepEqual(
    run(
      p,
      [
        [1, 2],
        [1, 3],
      ],
      [
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
      ],
    ),
    [
      [0, 0, 0, NEG, NEG, 0],
      [0, 0, 0, 0, NEG, 0],
    ],
  );
  assert.throws(() => new NoBadWordsLogitsProcessor([[]]), GenerationError);
});

test("temperature divides every score", () => {
  assert.deepEqual(run(new TemperatureLogitsWarper(2), [[0]], [[2, -4, 1]]), [[1, -2, 0.5]]);
  assert.throws(() => new TemperatureLogitsWarper(0), GenerationError);
});

test("top-k keeps the k best scores and ties with the k-th", () => {
  assert.deepEqual(run(new TopKLogitsWarper(2), [[0]], [[1, 5, 3, 2]]), [[NEG, 5, 3, NEG]]);
  assert.deepEqual(run(new TopKLogitsWarper(2), [[0]], [[3, 5, 3, 2]]), [[3, 5, 3, NEG]]);
  // k above the vocabulary keeps everything.
  assert.deepEqual(run(new TopKLogitsWarper(10), [[0]], [[1, 2]]), [[1, 2]]);
});

test("top-p keeps the smallest most-likely set reaching p", () => {
  const logits = [0.5, 0.3, 0.15, 0.05].map(Math.log);
  const keep = (p: number) => run(new TopPLogitsWarper(p), [[0]], [logits])[0]!.map((s) => s !== NEG);
  // Cumulative mass from the top: 0.5, 0.8, 0.95, 1.0.
  assert.deepEqual(keep(0.5), [true, false, false, false]);
  assert.deepEqual(keep(0.6), [true, true, false, false]);
  assert.deepEqual(keep(0.9), [true, true, true, false]);
  assert.deepEqual(keep(1), [true, true, true, true]);
  // At least one token always survives.
  assert.deepEqual(keep(0.01), [true, false, false, false]);
  assert.throws(() => new TopPLogitsWarper(0), GenerationError);
});

test("the processor list follows Hugging Face's order and skips disabled processors", () => {
  const names = (cfg: Parameters<typeof mergeGenerationConfig>[0]) =>
    buildLogitsProcessors(mergeGenerationConfig(cfg), [2]).processors.map((p) => p.constructor.name);
  assert.deepEqual(names({}), []);
  assert.deepEqual(
    names({
      minLength: 3,
      noRepeatNgramSize: 2,
      repetitionPenalty: 1.2,
      badWordsIds: [[7]],
      doSample: true,
      temperature: 0.7,
      topK: 5,
      topP: 0.9,
    }),
    [
      "RepetitionPenaltyLogitsProcessor",
      "NoRepeatNGramLogitsProcessor",
      "NoBadWordsLogitsProcessor",
      "MinLengthLogitsProcessor",
      "TemperatureLogitsWarper",
      "TopKLogitsWarper",
      "TopPLogitsWarper",
    ],
  );
  // Warpers only apply when sampling; topK 50 is the default but unused by greedy/beam search.
  assert.deepEqual(names({ temperature: 0.7, topP: 0.9 }), []);
});
