import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import {
  checkGenerationOptions,
  DEFAULT_MAX_NEW_TOKENS,
  defaultGenerationConfig,
  generationConfigFromHF,
  generationJSONFromModelConfig,
  mergeGenerationConfig,
  unsupportedHFSettings,
} from "./configuration.js";
import { GenerationError } from "./errors.js";

test("defaults are Hugging Face's", () => {
  // transformers 5: no max_length anywhere means 20 new tokens (21 with the start token), not 20 in all.
  assert.equal(defaultGenerationConfig.maxLength, undefined);
  assert.equal(DEFAULT_MAX_NEW_TOKENS, 20);
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

test("without generation_config.json: config.json's top-level settings, then the decoder sub-config's for unset ones", () => {
  // What transformers 5 and 4.57 showed for this config.json (GenerationConfig.from_model_config).
  const json = generationJSONFromModelConfig({
    model_type: "encoder-decoder",
    num_beams: 3,
    max_length: 9,
    eos_token_id: 3,
    pad_token_id: null,
    decoder_start_token_id: 2,
    decoder: {
      min_length: 4,
      no_repeat_ngram_size: 2,
      eos_token_id: 5,
      bos_token_id: 1,
      max_length: 30,
      pad_token_id: 0,
      typical_p: 1,
    },
  });
  assert.deepEqual(json, {
    max_length: 9,
    min_length: 4,
    num_beams: 3,
    no_repeat_ngram_size: 2,
    decoder_start_token_id: 2,
    bos_token_id: 1,
    eos_token_id: 3,
    pad_token_id: 0,
    typical_p: 1,
  });
  assert.deepEqual(generationJSONFromModelConfig({ eos_token_id: [3, 4], decoder: {} }), { eos_token_id: [3, 4] });
});

test("stored settings this project does not implement: neutral values pass, others are named", () => {
  const stored = {
    guidance_scale: 1.5,
    top_h: 0.4,
    token_healing: null,
    low_memory: false,
    my_custom: 1,
    typical_p: 0.9,
  };
  assert.deepEqual(unsupportedHFSettings(stored, false), ["guidance_scale=1.5"], "top_h only matters when sampling");
  assert.deepEqual(unsupportedHFSettings(stored, true), ["guidance_scale=1.5", "top_h=0.4"]);
  assert.deepEqual(unsupportedHFSettings({ typical_p: 1, low_memory: false, min_new_tokens: 2 }, true), []);
});

test("per-call options must be GenerationConfig fields: snake_case, unsupported and unknown names are errors", () => {
  checkGenerationOptions({ numBeams: 2, minNewTokens: 1, maxLength: undefined });
  const code = (options: object, pattern: RegExp) =>
    assert.throws(
      () => checkGenerationOptions(options),
      (e: unknown) => e instanceof GenerationError && e.code === "UNSUPPORTED_SETTING" && pattern.test(e.message),
    );
  code({ num_beams: 2 }, /use "numBeams"/);
  code({ guidanceScale: 3 }, /guidance_scale\) is not implemented/);
  code({ top_h: 0.5 }, /not implemented/);
  code({ typical_p: 0.5 }, /use "typicalP"/);
  code({ numBeam: 2 }, /not a generation setting/);
});
