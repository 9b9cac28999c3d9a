// How a checkpoint's generation settings are found, used and saved, as transformers 5 does it (checked against
// transformers 5.24 and 4.57 with tiny checkpoints): generation_config.json replaces config.json for generation;
// without one, config.json's top-level settings are used, then the decoder sub-config's for those unset. Keys this
// project does not implement are written back verbatim; one that would change transformers' output is an error
// at generate(), never silently ignored.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import { GenerationError } from "./errors.js";

const BERT = {
  model_type: "bert",
  vocab_size: 24,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 64,
  pad_token_id: 0,
};
const inputs = { inputIds: [[5, 6, 7, 8]] };
const scratch = mkdtempSync(join(tmpdir(), "composer-generation-config-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

let base: string;
before(async () => {
  await initBackend();
  base = join(scratch, "base");
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(BERT, BERT, {
    decoderStartTokenId: 2,
    eosTokenId: 5,
    padTokenId: 0,
  });
  await model.savePretrained(base);
  model.dispose();
});

const readJSON = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

/** A copy of the base checkpoint with config.json edited and generation_config.json replaced (or removed: null). */
async function variant(
  name: string,
  edit: (config: Record<string, unknown>) => void,
  generation: object | null,
): Promise<string> {
  const dir = join(scratch, name);
  const model = await EncoderDecoderModel.fromPretrained(base);
  await model.savePretrained(dir);
  model.dispose();
  const config = readJSON(join(dir, "config.json"));
  edit(config);
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  if (generation === null) unlinkSync(join(dir, "generation_config.json"));
  else writeFileSync(join(dir, "generation_config.json"), JSON.stringify(generation));
  return dir;
}

test("a fresh composition saves the generation config transformers derives from its model config", () => {
  assert.deepEqual(readJSON(join(base, "generation_config.json")), {
    _from_model_config: true,
    decoder_start_token_id: 2,
    eos_token_id: 5,
    pad_token_id: 0,
  });
});

test("generation_config.json replaces config.json; unknown keys survive load and save verbatim; eos lists work", async () => {
  const file = {
    decoder_start_token_id: 2,
    eos_token_id: [5, 9],
    pad_token_id: 0,
    max_length: 7,
    min_new_tokens: 2,
    top_h: 0.9,
    suppress_tokens: null,
    my_custom: { a: 1 },
  };
  const dir = await variant("with-file", (c) => Object.assign(c, { num_beams: 3, eos_token_id: 11 }), file);
  const model = await EncoderDecoderModel.fromPretrained(dir);
  try {
    assert.deepEqual(model.generationConfigJSON(), file);
    const out = await model.generate(inputs);
    assert.equal(out.sequencesScores, undefined, "config.json's num_beams 3 is not used: greedy search");
    assert.ok(out.sequences[0]!.length <= 7, "max_length 7 from generation_config.json");
    const row = out.sequences[0]!;
    for (const [i, token] of row.entries()) {
      if (i > 0 && i < row.length - 1) assert.ok(token !== 5 && token !== 9, "any eos of the list ends the sequence");
    }
    // top_h only matters when sampling (transformers ignores it otherwise); sampling with it is refused.
    await assert.rejects(
      model.generate(inputs, { doSample: true, seed: 1 }),
      (e: unknown) => e instanceof GenerationError && e.code === "UNSUPPORTED_SETTING" && /top_h=0.9/.test(e.message),
    );
    await model.savePretrained(join(scratch, "with-file-saved"));
  } finally {
    model.dispose();
  }
  assert.deepEqual(readJSON(join(scratch, "with-file-saved", "generation_config.json")), file);
});

test("a stored setting transformers would apply but this project does not implement is an error naming it", async () => {
  const dir = await variant("guidance-scale", () => {}, {
    decoder_start_token_id: 2,
    eos_token_id: 5,
    pad_token_id: 0,
    guidance_scale: 2,
  });
  const model = await EncoderDecoderModel.fromPretrained(dir);
  try {
    await assert.rejects(model.generate(inputs, { maxNewTokens: 3 }), (e: unknown) => {
      assert.ok(e instanceof GenerationError);
      assert.equal(e.code, "UNSUPPORTED_SETTING");
      assert.equal(e.setting, "guidance_scale");
      assert.match(e.message, /generation_config\.json sets guidance_scale=2/);
      return true;
    });
  } finally {
    model.dispose();
  }
});

test("without generation_config.json: config.json's top level first, then the decoder sub-config; eos list in config.json", async () => {
  const dir = await variant(
    "no-file",
    (c) => {
      Object.assign(c, { num_beams: 2, max_length: 9, eos_token_id: [5, 9] });
      Object.assign(c.decoder as object, { max_length: 30, min_length: 4, no_repeat_ngram_size: 2 });
    },
    null,
  );
  const model = await EncoderDecoderModel.fromPretrained(dir);
  try {
    assert.deepEqual(model.config.eosTokenId, [5, 9]);
    assert.deepEqual(model.generationConfigJSON(), {
      max_length: 9,
      min_length: 4,
      num_beams: 2,
      no_repeat_ngram_size: 2,
      decoder_start_token_id: 2,
      eos_token_id: [5, 9],
      pad_token_id: 0,
    });
    const out = await model.generate(inputs);
    assert.ok(out.sequencesScores !== undefined, "num_beams 2 from config.json: beam search");
    assert.ok(out.sequences[0]!.length <= 9);
    await model.savePretrained(join(scratch, "no-file-saved"));
  } finally {
    model.dispose();
  }
  const saved = readJSON(join(scratch, "no-file-saved", "generation_config.json"));
  assert.deepEqual(saved, {
    _from_model_config: true,
    decoder_start_token_id: 2,
    eos_token_id: [5, 9],
    max_length: 9,
    min_length: 4,
    no_repeat_ngram_size: 2,
    num_beams: 2,
    pad_token_id: 0,
  });
});
