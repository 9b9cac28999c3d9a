import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { checkGenerationOptions, generationConfigFromHF, unsupportedHFSettings } from "../configuration.js";
import { GenerationError } from "../errors.js";
import { generate } from "../generate.js";
import { ToyModel, type ToyTable } from "../test-support/toy-model.js";
import { DisjunctiveConstraint, PhrasalConstraint, type Constraint } from "./beam-constraints.js";

// Toy vocabulary: 0 pad, 1 decoder start, 2 eos, 3 "a", 4 "b", 5 "c" (never likely).
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;
const table: ToyTable = {
  "1": { 2: 0.05, 3: 0.6, 4: 0.3, 5: 0.05 },
  "1,3": { 2: 0.7, 3: 0.1, 4: 0.1, 5: 0.1 },
  "1,4": { 2: 0.6, 3: 0.2, 4: 0.1, 5: 0.1 },
  "1,5": { 2: 0.5, 3: 0.3, 4: 0.1, 5: 0.1 },
  "1,3,5": { 2: 0.8, 3: 0.1, 4: 0.05, 5: 0.05 },
  "1,5,3": { 2: 0.8, 3: 0.1, 4: 0.05, 5: 0.05 },
  "1,4,5": { 2: 0.8, 3: 0.1, 4: 0.05, 5: 0.05 },
};

/** The summed log-probability of `tokens` after the start token under the toy table, eos included. */
function logProb(model: ToyModel, tokens: number[]): number {
  let sum = 0;
  for (let i = 1; i < tokens.length; i++) sum += Math.log(model.probabilities([9], tokens.slice(0, i))[tokens[i]!]!);
  return sum;
}

test("constrained beam search puts the forced token in every output, each scored by its own log-probability", async () => {
  const model = new ToyModel(6, table);
  const out = await generate(
    model,
    { inputIds: [[9, 9]] },
    { ...special, numBeams: 2, numReturnSequences: 2, maxLength: 5, forceWordsIds: [[5]] },
  );
  const free = await generate(model, { inputIds: [[9, 9]] }, { ...special, numBeams: 2, maxLength: 5 });
  assert.ok(!free.sequences[0]!.includes(5), "unconstrained, the toy model does not choose 5");
  for (const [i, row] of out.sequences.entries()) {
    assert.ok(row.includes(5), JSON.stringify(row));
    // Up to its eos, or all of it when it ran to maxLength (unlisted prefixes are uniform, pad included).
    const tokens = row.includes(2) ? row.slice(0, row.indexOf(2) + 1) : row;
    assertClose([out.sequencesScores![i]!], [logProb(model, tokens) / (tokens.length - 1)], 1e-6, JSON.stringify(row));
  }
  assert.equal(model.live.size, 0, "every encoder state and cache disposed");
});

test("generate(..., { constraints }) takes constraint objects, and forceWordsIds adds to them", async () => {
  const model = new ToyModel(6, table);
  const run = (constraints: Constraint[], forceWordsIds?: number[][]) =>
    generate(
      model,
      { inputIds: [[9, 9]] },
      { ...special, numBeams: 3, maxLength: 6, ...(forceWordsIds !== undefined ? { forceWordsIds } : {}) },
      { constraints },
    );
  const [phrase] = (await run([new PhrasalConstraint([5, 3])])).sequences;
  assert.match(JSON.stringify(phrase), /5,3/);
  const [either] = (
    await run([
      new DisjunctiveConstraint([
        [4, 5],
        [5, 4],
      ]),
    ])
  ).sequences;
  assert.ok(/4,5|5,4/.test(JSON.stringify(either)), JSON.stringify(either));
  const [both] = (await run([new PhrasalConstraint([4])], [[5]])).sequences;
  assert.ok(both!.includes(4) && both!.includes(5), JSON.stringify(both));
});

test("constrained beam search settings are checked as transformers 4.56 does, before the encoder runs", async () => {
  const model = new ToyModel(6, table);
  const run = (cfg: object, constraints?: Constraint[]) =>
    generate(
      model,
      { inputIds: [[9, 9]] },
      { ...special, numBeams: 2, maxLength: 4, ...cfg },
      constraints ? { constraints } : {},
    );
  const cases: [object, Constraint[] | undefined, string][] = [
    [{ forceWordsIds: [[5]], numBeams: 1 }, undefined, "numBeams"],
    [{}, [new PhrasalConstraint([5])].slice(0, 0), "constraints"],
    [{ forceWordsIds: [[5]], doSample: true }, undefined, "doSample"],
    [{ numBeams: 4, numBeamGroups: 2, diversityPenalty: 1 }, [new PhrasalConstraint([5])], "numBeamGroups"],
    [{ forceWordsIds: [] }, undefined, "forceWordsIds"],
    [{ forceWordsIds: [[5, -1]] }, undefined, "forceWordsIds"],
    [{ forceWordsIds: [[[5, 3], [5]]] }, undefined, "forceWordsIds"],
  ];
  for (const [cfg, constraints, field] of cases) {
    await assert.rejects(
      run(cfg, constraints),
      (e: unknown) => e instanceof GenerationError && e.code === "INVALID_CONFIG" && e.setting === field,
      JSON.stringify(cfg),
    );
  }
  assert.equal(model.encodedRows, 0);
});

test("force_words_ids is a setting (read from generation_config.json); constraints objects go in generate()'s options", () => {
  assert.deepEqual(
    generationConfigFromHF({
      force_words_ids: [
        [5, 3],
        [[4], [2, 2]],
      ],
    }).forceWordsIds,
    [
      [5, 3],
      [[4], [2, 2]],
    ],
  );
  assert.throws(
    () => generationConfigFromHF({ force_words_ids: 5 }),
    (e: unknown) => e instanceof GenerationError && e.setting === "forceWordsIds",
  );
  assert.deepEqual(unsupportedHFSettings({ force_words_ids: [[5]] }, false), []);
  // A JSON file cannot hold constraint objects: a stored one is still refused, never ignored.
  assert.deepEqual(unsupportedHFSettings({ constraints: [{}] }, false), ["constraints=[{}]"]);
  assert.throws(
    () => checkGenerationOptions({ constraints: [new PhrasalConstraint([5])] }),
    (e: unknown) =>
      e instanceof GenerationError && e.code === "UNSUPPORTED_SETTING" && /\{ constraints \}/.test(e.message),
  );
});
