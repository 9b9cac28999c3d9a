import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, type tf } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { formatLoadReport } from "@warmstart/modeling";
import { BertLMHeadModel } from "./bert/model.js";
import { GPT2LMHeadModel } from "./gpt2/model.js";
import { RobertaForCausalLM } from "./roberta/model.js";
import { PARITY, parityCheckpoint } from "./test-support/decoder-parity.js";

const skip = sharedSkipReason(PARITY);

test(
  "BERT checkpoint into BertLMHeadModel with cross-attention: 20 new cross-attention tensors, pooler and NSP head unused",
  { skip },
  async () => {
    await initBackend({ backend: "wasm" });
    const model = await BertLMHeadModel.fromPretrained(parityCheckpoint("bert"), { addCrossAttention: true });
    assert.equal(model.config.isDecoder, true);
    const report = model.loadReport!;
    assert.equal(report.missing.length, 20);
    assert.ok(report.missing.every((n) => /^bert\.encoder\.layer\.[01]\.crossattention\./.test(n)));
    assert.deepEqual(report.unexpected.sort(), [
      "bert.pooler.dense.bias",
      "bert.pooler.dense.weight",
      "cls.seq_relationship.bias",
      "cls.seq_relationship.weight",
    ]);
    assert.deepEqual(report.skipped, ["cls.predictions.decoder.weight"], "the stored copy of the tied output matrix");
    assert.ok(
      report.loaded.includes("cls.predictions.bias") &&
        report.loaded.includes("bert.embeddings.word_embeddings.weight"),
    );
    assert.equal(model.parameters.has("cls.predictions.decoder.weight"), false);
    // Cross-attention blocks add 2 layers × (4 linear 32×32 + biases + LayerNorm) = 8,576 parameters (README).
    const crossCount = report.missing.reduce((s, n) => s + model.parameters.get(n).size, 0);
    assert.equal(crossCount, 8576);
    assert.match(
      formatLoadReport(report),
      /20 newly initialised, 4 checkpoint weights unused, 1 buffers\/tied copies skipped/,
    );
    model.dispose();
  },
);

test("RoBERTa checkpoint into RobertaForCausalLM: everything used, tied decoder copy skipped", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const model = await RobertaForCausalLM.fromPretrained(parityCheckpoint("roberta"));
  const report = model.loadReport!;
  assert.deepEqual(report.missing, []);
  assert.deepEqual(report.unexpected, []);
  assert.deepEqual(report.skipped, ["lm_head.decoder.weight"]);
  model.dispose();
});

test(
  "GPT-2 checkpoint without the transformer. prefix: attn.bias buffers ignored, nothing missing",
  { skip },
  async () => {
    await initBackend({ backend: "wasm" });
    const model = await GPT2LMHeadModel.fromPretrained(parityCheckpoint("gpt2"));
    const report = model.loadReport!;
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.unexpected, []);
    assert.deepEqual(report.skipped.sort(), ["h.0.attn.bias", "h.1.attn.bias"]);
    assert.ok(report.loaded.includes("transformer.h.1.mlp.c_proj.weight"));
    assert.equal(model.parameters.has("lm_head.weight"), false);
    model.dispose();
  },
);

test("a checkpoint holding only the tied copy fills the word embeddings from it", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const source = await GPT2LMHeadModel.fromPretrained(parityCheckpoint("gpt2"));
  const wte = source.parameters.get("transformer.wte.weight");
  const model = GPT2LMHeadModel.fromConfig({
    model_type: "gpt2",
    vocab_size: 1000,
    n_positions: 64,
    n_embd: 32,
    n_layer: 2,
    n_head: 4,
    n_inner: 37,
  });
  const report = model.loadWeights(new Map([["lm_head.weight", wte as tf.Tensor]]));
  assert.deepEqual(report.loaded, ["transformer.wte.weight"]);
  assert.deepEqual(report.skipped, []);
  assert.deepEqual(model.parameters.get("transformer.wte.weight").dataSync(), wte.dataSync());
  model.dispose();
  source.dispose();
});
