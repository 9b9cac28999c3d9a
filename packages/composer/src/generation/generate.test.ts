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
  await rejects({ ...special, numBeams: 2, numReturnSequences: 3 }, "num_return_sequences_exceeds_num_beams", "numBeams", /num_beams.*at least 3/);
  await rejects({ ...special, numReturnSequences: 2 }, "num_return_sequences_exceeds_num_beams", "numBeams", /doSample/);
});

test("maxLength not above the decoder prompt names maxLength and maxNewTokens", async () => {
  await rejects({ ...special, maxLength: 1 }, "max_length_too_small", "maxLength", /max_length.*max_new_tokens/);
  const model = new ToyModel(5, {});
  await assert.rejects(
    generate(model, { inputIds: [[7]], decoderInputIds: [[1, 3, 3]] }, { ...special, maxLength: 3 }),
    (e: unknown) => e instanceof GenerationError && e.code === "max_length_too_small" && /3 token/.test(e.message),
  );
});

test("missing special token ids name the config field", async () => {
  await rejects({ eosTokenId: 2, padTokenId: 0 }, "missing_token_id", "decoderStartTokenId", /decoder_start_token_id/);
  await rejects({ decoderStartTokenId: 1, padTokenId: 0 }, "missing_token_id", "eosTokenId", /eos_token_id/);
  await rejects({ decoderStartTokenId: 1, eosTokenId: [] }, "missing_token_id", "eosTokenId", /eos_token_id/);
  await rejects({ decoderStartTokenId: 1, eosTokenId: 2 }, "missing_token_id", "padTokenId", /pad_token_id/);
});

test("invalid numbers and unsupported combinations are rejected with the setting", async () => {
  await rejects({ ...special, numBeams: 0 }, "invalid_config", "numBeams", /num_beams/);
  await rejects({ ...special, doSample: true, numBeams: 2 }, "invalid_config", "numBeams", /beam sampling/);
  await rejects({ ...special, doSample: true, temperature: 0 }, "invalid_config", "temperature", /temperature/);
  await rejects({ ...special, repetitionPenalty: -1 }, "invalid_config", "repetitionPenalty", /repetition_penalty/);
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
      (e: unknown) => e instanceof GenerationError && e.code === "model_output",
    );
    assert.equal(model.live.size, 0, `numBeams ${numBeams}: caches and encoder states disposed`);
  }
});
