import assert from "node:assert/strict";
import { test } from "node:test";
import { generate } from "./generate.js";
import { GenerationError } from "./errors.js";
import type { GenerationConfig } from "./configuration.js";
import { ToyModel } from "./test-support/toy-model.js";

const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;
const inputs = { inputIds: [[7, 8]] };

async function rejects(cfg: Partial<GenerationConfig>, code: string, setting: string | undefined, words: RegExp) {
  const model = new ToyModel(5, {});
  await assert.rejects(generate(model, inputs, cfg), (e: unknown) => {
    assert.ok(e instanceof GenerationError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.setting, setting);
    assert.match(e.message, words);
    return true;
  });
  assert.equal(model.encodedRows, 0, "rejected before the encoder runs");
}

test("numReturnSequences above numBeams names numBeams", async () => {
  await rejects(
    { ...special, numBeams: 2, numReturnSequences: 3 },
    "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS",
    "numBeams",
    /num_beams.*at least 3/,
  );
  await rejects(
    { ...special, numReturnSequences: 2 },
    "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS",
    "numBeams",
    /doSample/,
  );
});

test("maxLength not above the decoder prompt names maxLength and maxNewTokens", async () => {
  await rejects({ ...special, maxLength: 1 }, "MAX_LENGTH_TOO_SMALL", "maxLength", /max_length.*max_new_tokens/);
  const model = new ToyModel(5, {});
  await assert.rejects(
    generate(model, { inputIds: [[7]], decoderInputIds: [[1, 3, 3]] }, { ...special, maxLength: 3 }),
    (e: unknown) => e instanceof GenerationError && e.code === "MAX_LENGTH_TOO_SMALL" && /3 token/.test(e.message),
  );
});

test("special tokens as transformers: start required, eos optional (runs to the maximum length), pad falls back to eos", async () => {
  await rejects({ eosTokenId: 2, padTokenId: 0 }, "MISSING_TOKEN_ID", "decoderStartTokenId", /decoder_start_token_id/);
  const table = { "1": { 2: 0.6, 3: 0.4 }, "1,2": { 3: 1 }, "1,2,3": { 3: 1 } };
  // No eos: nothing stops early, the sequence reaches maxLength.
  const noEos = await generate(new ToyModel(5, table), { inputIds: [[7]] }, { decoderStartTokenId: 1, maxLength: 4 });
  assert.deepEqual(noEos.sequences, [[1, 2, 3, 3]]);
  // No decoder start but a bos id: transformers starts encoder-decoder generation with bos.
  const bos = await generate(
    new ToyModel(5, table),
    { inputIds: [[7]] },
    { bosTokenId: 1, eosTokenId: 2, padTokenId: 0 },
  );
  assert.deepEqual(bos.sequences, [[1, 2]]);
});

test("unset pad: finished rows of greedy search are filled with the first eos id; pad 0 stays 0", async () => {
  const table = { "7|1": { 2: 1 }, "8|1": { 3: 1 }, "8|1,3": { 3: 1 }, "8|1,3,3": { 2: 1 } };
  const inputs = { inputIds: [[7], [8]] };
  const unset = await generate(new ToyModel(5, table), inputs, {
    decoderStartTokenId: 1,
    eosTokenId: [2, 4],
    maxLength: 6,
  });
  assert.deepEqual(unset.sequences, [
    [1, 2, 2, 2],
    [1, 3, 3, 2],
  ]);
  const zero = await generate(new ToyModel(5, table), inputs, {
    decoderStartTokenId: 1,
    eosTokenId: 2,
    padTokenId: 0,
    maxLength: 6,
  });
  assert.deepEqual(zero.sequences[0], [1, 2, 0, 0]);
});

test("default length: 20 new tokens after the prompt (21 with a start token); maxNewTokens and minNewTokens", async () => {
  // Unlisted prefixes are uniform, so greedy search picks token 0 forever and never ends early.
  const Looping = class extends ToyModel {};
  const loop = {};
  const base = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 };
  const byDefault = await generate(new Looping(5, loop), { inputIds: [[7]] }, base);
  assert.equal(byDefault.sequences[0]!.length, 21);
  const prompted = await generate(new Looping(5, loop), { inputIds: [[7]], decoderInputIds: [[1, 3, 3]] }, base);
  assert.equal(prompted.sequences[0]!.length, 23);
  const explicit = await generate(new Looping(5, loop), { inputIds: [[7]] }, { ...base, maxLength: 20 });
  assert.equal(explicit.sequences[0]!.length, 20, "an explicit maxLength counts the start token");
  const newTokens = await generate(
    new Looping(5, loop),
    { inputIds: [[7]] },
    { ...base, maxLength: 5, maxNewTokens: 3 },
  );
  assert.equal(newTokens.sequences[0]!.length, 4, "maxNewTokens wins over maxLength");
  // minNewTokens bans eos for that many generated tokens.
  const eosFirst = { "1": { 2: 0.9, 3: 0.1 }, "1,3": { 2: 0.9, 3: 0.1 }, "1,3,3": { 2: 0.9, 3: 0.1 } };
  const minNew = await generate(
    new ToyModel(5, eosFirst),
    { inputIds: [[7]] },
    { ...base, minNewTokens: 2, maxLength: 6 },
  );
  assert.deepEqual(minNew.sequences, [[1, 3, 3, 2]]);
});

test("decoderInputIds without the start token get it prepended (only when no row starts with it)", async () => {
  const table = { "1,3": { 4: 1 }, "1,3,4": { 2: 1 }, "3,4": { 2: 1 }, "1,4": { 2: 1 } };
  const missing = await generate(
    new ToyModel(5, table),
    { inputIds: [[7]], decoderInputIds: [[3]] },
    { ...special, maxLength: 5 },
  );
  assert.deepEqual(missing.sequences, [[1, 3, 4, 2]]);
  const mixed = await generate(
    new ToyModel(5, table),
    {
      inputIds: [[7], [7]],
      decoderInputIds: [
        [1, 4],
        [3, 4],
      ],
    },
    { ...special, maxNewTokens: 1 },
  );
  assert.deepEqual(mixed.sequences, [
    [1, 4, 2],
    [3, 4, 2],
  ]);
});

test("options that are not GenerationConfig fields are rejected, not ignored", async () => {
  await rejects({ ...special, topH: 0.9 } as never, "UNSUPPORTED_SETTING", "topH", /not implemented/);
  await rejects({ ...special, max_new_tokens: 3 } as never, "UNSUPPORTED_SETTING", "max_new_tokens", /maxNewTokens/);
});

test("invalid numbers and unsupported combinations are rejected with the setting", async () => {
  await rejects({ ...special, numBeams: 0 }, "INVALID_CONFIG", "numBeams", /num_beams/);
  await rejects(
    { ...special, doSample: true, numBeamGroups: 2, numBeams: 2, diversityPenalty: 1 },
    "INVALID_CONFIG",
    "numBeamGroups",
    /cannot sample/,
  );
  await rejects({ ...special, doSample: true, temperature: 0 }, "INVALID_CONFIG", "temperature", /temperature/);
  await rejects({ ...special, repetitionPenalty: -1 }, "INVALID_CONFIG", "repetitionPenalty", /repetition_penalty/);
});

test("ragged inputs without an attention mask, and mismatched masks, are rejected", async () => {
  const model = new ToyModel(5, {});
  await assert.rejects(generate(model, { inputIds: [[1, 2], [3]] }, special), /attentionMask/);
  await assert.rejects(generate(model, { inputIds: [[1, 2]], attentionMask: [[1]] }, special), /attentionMask\[0\]/);
});

test("a decoder prompt replaces the start token and counts toward maxLength", async () => {
  const model = new ToyModel(5, { "1,3": { 4: 1 }, "1,3,4": { 2: 1 } });
  const out = await generate(model, { inputIds: [[7]], decoderInputIds: [[1, 3]] }, { ...special, maxLength: 5 });
  assert.deepEqual(out.sequences, [[1, 3, 4, 2]]);
});

test("a model returning the wrong number of logits is reported, and everything is disposed", async () => {
  class Truncating extends ToyModel {
    override decodeStep(args: Parameters<ToyModel["decodeStep"]>[0]) {
      const out = super.decodeStep(args);
      return args.decoderInputIds[0]!.length < 2 ? out : { ...out, logits: out.logits.subarray(1) };
    }
  }
  for (const numBeams of [1, 2]) {
    const model = new Truncating(5, { "1": { 3: 1 } });
    await assert.rejects(
      generate(model, inputs, { ...special, numBeams }),
      (e: unknown) => e instanceof GenerationError && e.code === "MODEL_OUTPUT",
    );
    assert.equal(model.live.size, 0, `numBeams ${numBeams}: caches and encoder states disposed`);
  }
});
