import assert from "node:assert/strict";
import { test } from "node:test";
import { baseConfig } from "../base-configs.js";
import { ComposerError } from "../errors.js";
import { modelFamily, modelTypes, registerModelFamily } from "./registry.js";

function builtIn(modelType: string) {
  const family = modelFamily(modelType);
  assert.ok(family !== undefined, modelType);
  return family;
}

test("the built-in families, in order", () => {
  assert.deepEqual(modelTypes(), ["bert", "roberta", "gpt2"]);
});

test("positions a token may take, from the shipped configs: the Hub tokenizers' model_max_length", () => {
  // bert-base-*, roberta-base and gpt2's tokenizer_config.json say 512, 512 and 1024; RoBERTa's 514 position
  // embeddings lose pad_token_id + 1 rows to its position-id offset.
  assert.equal(builtIn("bert").maxPositions(baseConfig("bert-base-cased")), 512);
  assert.equal(builtIn("roberta").maxPositions(baseConfig("roberta-base")), 512);
  assert.equal(builtIn("gpt2").maxPositions(baseConfig("gpt2")), 1024);
});

test("widths come from the typed readers, which name a bad field", () => {
  assert.equal(builtIn("gpt2").hiddenSize(baseConfig("gpt2")), 768);
  assert.throws(
    () => builtIn("bert").hiddenSize({ ...baseConfig("bert-base-cased"), hidden_size: "768" }),
    (e: unknown) => e instanceof Error && "field" in e && e.field === "hidden_size",
  );
});

test("tokenizer kinds and pre-training objectives as trainTokenizer and pretrain take them", () => {
  assert.deepEqual(builtIn("bert").tokenizer, { kind: "wordpiece" });
  assert.deepEqual(builtIn("roberta").tokenizer, { kind: "bpe", template: "roberta" });
  assert.deepEqual(builtIn("gpt2").tokenizer, { kind: "bpe", template: "gpt2" });
  assert.deepEqual(
    ["bert", "roberta", "gpt2"].map((t) => builtIn(t).pretraining?.objective),
    ["mlm", "mlm", "clm"],
  );
  assert.equal(builtIn("gpt2").pretraining?.architectures.mlm, undefined);
});

test("registering a family that can play no role, or an empty model_type, is refused", () => {
  const bert = builtIn("bert");
  assert.throws(
    () => registerModelFamily({ ...bert, modelType: "nothing", encoder: null, decoder: null }),
    (e: unknown) => e instanceof ComposerError && /needs an encoder or a decoder/.test(e.message),
  );
  assert.throws(
    () => registerModelFamily({ ...bert, modelType: "" }),
    (e: unknown) => e instanceof ComposerError && /non-empty string/.test(e.message),
  );
  assert.deepEqual(modelTypes(), ["bert", "roberta", "gpt2"]);
});
