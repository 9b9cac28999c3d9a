import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { defaultGenerationConfig, generationConfigFromHF, mergeGenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";

test("defaults are Hugging Face's", () => {
  assert.equal(defaultGenerationConfig.maxLength, 20);
  assert.equal(defaultGenerationConfig.numBeams, 1);
  assert.equal(defaultGenerationConfig.lengthPenalty, 1);
  assert.equal(defaultGenerationConfig.earlyStopping, false);
  assert.equal(defaultGenerationConfig.topK, 50);
  assert.equal(defaultGenerationConfig.topP, 1);
});

test("reads snake_case checkpoint fields: the CNN/DailyMail recipe", () => {
  const cfg = generationConfigFromHF({
    num_beams: 4,
    max_length: 142,
    min_length: 56,
    no_repeat_ngram_size: 3,
    early_stopping: true,
    length_penalty: 2.0,
    eos_token_id: [102, 103],
    bad_words_ids: null,
    architectures: ["EncoderDecoderModel"],
  });
  assert.deepEqual(cfg, {
    numBeams: 4,
    maxLength: 142,
    minLength: 56,
    noRepeatNgramSize: 3,
    earlyStopping: true,
    lengthPenalty: 2,
    eosTokenId: [102, 103],
  });
  assert.equal(generationConfigFromHF({ early_stopping: "never" }).earlyStopping, "never");
  assert.throws(
    () => generationConfigFromHF({ num_beams: "4" }, "ckpt/generation_config.json"),
    (e: unknown) => e instanceof GenerationError && /ckpt\/generation_config.json: "num_beams"/.test(e.message),
  );
});

test("merge order: defaults < config.json < generation_config.json < per call; undefined never erases", () => {
  const merged = mergeGenerationConfig(
    { numBeams: 2, maxLength: 50 },
    { numBeams: 4, eosTokenId: 102 },
    { maxLength: 30, numBeams: undefined },
  );
  assert.equal(merged.numBeams, 4);
  assert.equal(merged.maxLength, 30);
  assert.equal(merged.eosTokenId, 102);
  assert.equal(merged.minLength, 0);
});

test("reads the parity checkpoints' generation_config.json", { skip: sharedSkipReason("fixtures/parity") }, () => {
  const path = sharedPath("fixtures", "parity", "bert2bert", "generation_config.json")!;
  const cfg = generationConfigFromHF(JSON.parse(readFileSync(path, "utf8")));
  assert.deepEqual(cfg, { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 });
});
