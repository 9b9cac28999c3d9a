/**
 * generate()'s `logitsProcessors` and `stoppingCriteria` (transformers' `logits_processor=` / `stopping_criteria=`):
 * merged with the built-in ones by transformers 5's `_merge_criteria_processor_list` rules, honoured by every search
 * strategy. The toy model's probabilities make each expected sequence derivable by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GenerationError } from "./errors.js";
import { generate } from "./generate.js";
import { NoBadWordsLogitsProcessor, type LogitsProcessor } from "./logits-processors.js";
import { PhrasalConstraint } from "./search/beam-constraints.js";
import { MaxLengthCriteria, type StoppingCriteria } from "./stopping-criteria.js";
import type { GenerationConfig } from "./configuration.js";
import { ToyModel, type ToyTable } from "./test-support/toy-model.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b" (5 and 6: other words, for beam sampling).
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;
const source = { inputIds: [[9, 9]] };
// "a" is all but certain after every prefix of a's, "b" after every prefix of b's: without help nothing but a's comes
// out, even sampled; with "a" banned only b's can.
const mostlyA: ToyTable = {
  "1": { 3: 0.999, 4: 0.001 },
  "1,3": { 3: 0.999, 4: 0.001 },
  "1,3,3": { 3: 0.999, 4: 0.001 },
  "1,4": { 4: 0.999, 3: 0.001 },
  "1,4,4": { 4: 0.999, 3: 0.001 },
};
const VOCAB = 5;
// Beam sampling draws 2 * numBeams distinct candidates per step, so it needs more tokens of non-zero probability
// (0, 5 and 6, a little each); with "a" banned the four left at the first step are all drawn, "b" the best of them.
const few = { 0: 0.001, 5: 0.001, 6: 0.001 };
const mostlyAWithRest: ToyTable = {
  "1": { 3: 0.99, 4: 0.007, ...few },
  "1,3": { 3: 0.996, 4: 0.001, ...few },
  "1,3,3": { 3: 0.996, 4: 0.001, ...few },
  "1,4": { 4: 0.996, 3: 0.001, ...few },
  "1,4,4": { 4: 0.996, 3: 0.001, ...few },
};
const banA = (): NoBadWordsLogitsProcessor => new NoBadWordsLogitsProcessor([[3]], [2]);
/** Done once the decoder sequence (start token included) holds three tokens. */
const threeTokens: StoppingCriteria = { isDone: (ids) => ids.map((row) => row.length >= 3) };

const strategies: Record<string, { settings: Partial<GenerationConfig>; model: () => ToyModel }> = {
  greedy: { settings: {}, model: () => new ToyModel(VOCAB, mostlyA) },
  sampling: { settings: { doSample: true, topK: 0, seed: 11 }, model: () => new ToyModel(VOCAB, mostlyA) },
  "beam search": { settings: { numBeams: 2 }, model: () => new ToyModel(VOCAB, mostlyA) },
  "beam sampling": {
    settings: { numBeams: 2, doSample: true, topK: 0, seed: 11 },
    model: () => new ToyModel(7, mostlyAWithRest),
  },
};

for (const [name, { settings, model }] of Object.entries(strategies)) {
  test(`${name}: a user logits processor and a user stopping criterion change the output`, async () => {
    const config = { ...special, ...settings, maxLength: 4 };
    const plain = await generate(model(), source, config);
    assert.deepEqual(plain.sequences, [[1, 3, 3, 3]]);
    const banned = await generate(model(), source, config, { logitsProcessors: [banA()] });
    assert.deepEqual(banned.sequences, [[1, 4, 4, 4]], "the exported NoBadWordsLogitsProcessor plugged in");
    const stopped = await generate(model(), source, config, { stoppingCriteria: [threeTokens] });
    assert.deepEqual(stopped.sequences, [[1, 3, 3]], "stopped after three tokens instead of maxLength 4");
  });
}

test("diverse (group) beam search: both honoured, finished sequences get 4.56's eos", async () => {
  const config = {
    ...special,
    numBeams: 2,
    numBeamGroups: 2,
    diversityPenalty: 0.1,
    numReturnSequences: 2,
    maxLength: 4,
  };
  const plain = await generate(new ToyModel(VOCAB, mostlyA), source, config);
  // A diversity penalty of 0.1 cannot outweigh "a"'s 0.999: both groups write a's to maxLength.
  assert.deepEqual(plain.sequences, [
    [1, 3, 3, 3],
    [1, 3, 3, 3],
  ]);
  const banned = await generate(new ToyModel(VOCAB, mostlyA), source, config, { logitsProcessors: [banA()] });
  assert.ok(
    banned.sequences.every((s) => !s.includes(3)),
    JSON.stringify(banned.sequences),
  );
  // Every running beam reaches three tokens together: the search ends there, and the beams (no eos of their own)
  // are finished with the first eos id, as BeamSearchScorer.finalize does below maxLength.
  const stopped = await generate(new ToyModel(VOCAB, mostlyA), source, config, { stoppingCriteria: [threeTokens] });
  assert.deepEqual(stopped.sequences, [
    [1, 3, 3, 2],
    [1, 3, 3, 2],
  ]);
  // A user MaxLengthCriteria replaces the built-in one, and 4.56's finalize cuts to its length
  // (stopping_criteria.max_length): no eos fits after three tokens.
  const replaced = await generate(new ToyModel(VOCAB, mostlyA), source, config, {
    stoppingCriteria: [new MaxLengthCriteria(3)],
  });
  assert.deepEqual(replaced.sequences, [
    [1, 3, 3],
    [1, 3, 3],
  ]);
});

test("constrained beam search: both honoured", async () => {
  const config = { ...special, numBeams: 2, maxLength: 4 };
  const constraints = [new PhrasalConstraint([4])];
  const plain = await generate(new ToyModel(VOCAB, mostlyA), source, config, { constraints });
  // The forced "b" comes as late as it can: the a's score higher.
  assert.deepEqual(plain.sequences, [[1, 3, 3, 4]]);
  const banned = await generate(new ToyModel(VOCAB, mostlyA), source, config, {
    constraints,
    logitsProcessors: [banA()],
  });
  assert.deepEqual(banned.sequences, [[1, 4, 4, 4]]);
  const stopped = await generate(new ToyModel(VOCAB, mostlyA), source, config, {
    constraints,
    stoppingCriteria: [threeTokens],
  });
  // Ending at three tokens, the constraint is met one step earlier; the hypothesis is finished with eos.
  assert.deepEqual(stopped.sequences, [[1, 3, 4, 2]]);
});

test("merge order is transformers': built-in processors, then the user's in their order, then the sampling warpers", async () => {
  const table: ToyTable = { "1": { 2: 0.3, 3: 0.6, 4: 0.1 } };
  const seen: { name: string; eos: number; a: number }[] = [];
  const recorder = (name: string): LogitsProcessor => ({
    process(ids, scores, vocab) {
      seen.push({ name, eos: scores[2]!, a: scores[3]! });
      void ids;
      void vocab;
    },
  });
  await generate(
    new ToyModel(5, table),
    source,
    { ...special, minLength: 3, doSample: true, temperature: 0.5, topK: 0, seed: 1, maxLength: 2, outputScores: true },
    { logitsProcessors: [recorder("first"), recorder("second")] },
  );
  assert.deepEqual(
    seen.map((s) => s.name),
    ["first", "second"],
  );
  for (const s of seen) {
    // After MinLengthLogitsProcessor (built from minLength): eos is already banned.
    assert.equal(s.eos, -Infinity, s.name);
    // Before TemperatureLogitsWarper: the logit is still log 0.6, not log 0.6 / 0.5.
    assert.ok(Math.abs(s.a - Math.log(0.6)) < 1e-6, `${s.name} saw ${s.a}`);
  }
});

test("a user processor or criterion of a built-in class takes the built-in one's place (transformers 5)", async () => {
  // The built-in MaxLengthCriteria(8) is replaced by the user's MaxLengthCriteria(3).
  const out = await generate(
    new ToyModel(VOCAB, mostlyA),
    source,
    { ...special, maxLength: 8 },
    {
      stoppingCriteria: [new MaxLengthCriteria(3)],
    },
  );
  assert.deepEqual(out.sequences, [[1, 3, 3]]);
  // The built-in NoBadWordsLogitsProcessor (of badWordsIds [[4]]) is replaced by the user's, which bans "a".
  const replaced = await generate(
    new ToyModel(VOCAB, mostlyA),
    source,
    { ...special, maxLength: 3, badWordsIds: [[4]] },
    { logitsProcessors: [banA()] },
  );
  assert.deepEqual(replaced.sequences, [[1, 4, 4]]);
});

test("bad lists and the old option name are typed errors naming the option", async () => {
  const run = (options: object) =>
    generate(
      new ToyModel(VOCAB, mostlyA),
      source,
      { ...special, maxLength: 3 },
      options as Parameters<typeof generate>[3],
    );
  const named = (setting: string, message: RegExp) => (e: unknown) =>
    e instanceof GenerationError && e.setting === setting && message.test(e.message);
  await assert.rejects(run({ logitsProcessors: banA() }), named("logitsProcessors", /must be a list/));
  await assert.rejects(
    run({ logitsProcessors: [{}] }),
    named("logitsProcessors", /logitsProcessors\[0\].*process\(\)/),
  );
  await assert.rejects(
    run({ stoppingCriteria: [banA()] }),
    named("stoppingCriteria", /stoppingCriteria\[0\].*isDone\(\)/),
  );
  await assert.rejects(run({ logitsProcessor: [banA()] }), named("logitsProcessors", /now logitsProcessors/));
});
