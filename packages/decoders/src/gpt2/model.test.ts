import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { disposeCache, ModelConfigError, ModelInputError } from "@warmstart/modeling";
import { BertLMHeadModel } from "../bert/model.js";
import { gpt2ConfigFromHF, gpt2ConfigToHF } from "./config.js";
import { GPT2LMHeadModel } from "./model.js";

const TINY = {
  model_type: "gpt2",
  vocab_size: 50,
  n_positions: 8,
  n_embd: 16,
  n_layer: 2,
  n_head: 2,
  initializer_range: 0.2,
  summary_type: "cls_index",
};

function inputError(code: string, text: string) {
  return (error: unknown) => error instanceof ModelInputError && error.code === code && error.message.includes(text);
}

test("GPT-2 config: defaults, round trip, typed errors", () => {
  const config = gpt2ConfigFromHF(TINY);
  assert.equal(config.nInner, null);
  assert.equal(config.activationFunction, "gelu_new");
  const json = gpt2ConfigToHF(config);
  assert.equal(json.summary_type, "cls_index");
  assert.deepEqual(gpt2ConfigFromHF(json), { ...config, original: json });
  const named = (code: string, field: string, text: string) => (e: unknown) =>
    e instanceof ModelConfigError && e.code === code && e.field === field && e.message.includes(text);
  assert.throws(
    () => gpt2ConfigFromHF({ ...TINY, activation_function: "gelu_newer" }),
    named("UNKNOWN_ACTIVATION", "activation_function", "gelu_newer"),
  );
  assert.throws(
    () => GPT2LMHeadModel.fromConfig({ ...TINY, model_type: "llama" }),
    named("UNKNOWN_MODEL_TYPE", "model_type", '"llama"'),
  );
  assert.throws(() => gpt2ConfigFromHF({ ...TINY, n_head: 3 }), named("INVALID_FIELD", "n_embd", "multiple of n_head"));
  assert.throws(
    () => BertLMHeadModel.fromConfig({ model_type: "bert", is_decoder: false, add_cross_attention: true }),
    named("INVALID_FIELD", "is_decoder", "add_cross_attention"),
  );
});

test("GPT-2 initialisation: c_proj weights use initializer_range / sqrt(2·n_layer)", async () => {
  await initBackend({ backend: "wasm" });
  const model = GPT2LMHeadModel.fromConfig(
    { ...TINY, n_embd: 64, n_layer: 2, n_head: 4, n_inner: 256 },
    { addCrossAttention: true, seed: 3 },
  );
  const std = (name: string) => {
    const d = Array.from(model.parameters.get(name).dataSync());
    return Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
  };
  for (const name of [
    "transformer.h.0.mlp.c_proj.weight",
    "transformer.h.1.attn.c_proj.weight",
    "transformer.h.0.crossattention.c_proj.weight",
  ]) {
    assert.ok(Math.abs(std(name) - 0.1) < 0.01, `${name}: ${std(name)}`);
  }
  assert.ok(Math.abs(std("transformer.h.0.mlp.c_fc.weight") - 0.2) < 0.01);
  assert.deepEqual(model.parameters.get("transformer.h.0.crossattention.c_attn.weight").shape, [64, 128]);
  model.dispose();
});

test("parameterShapes counts the Hub's gpt2 (124,439,808 parameters, LM head tied)", () => {
  const count = (shapes: Map<string, number[]>) =>
    [...shapes.values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  const config = gpt2ConfigFromHF({ model_type: "gpt2" });
  assert.equal(count(GPT2LMHeadModel.parameterShapes(config)), 124_439_808);
  // Per layer: c_attn 768×1536 + 1536, q_attn and c_proj 768×768 + 768 each, ln_cross_attn 2×768.
  const cross = 12 * (768 * 1536 + 1536 + 2 * (768 * 768 + 768) + 2 * 768);
  assert.equal(count(GPT2LMHeadModel.parameterShapes(config, { addCrossAttention: true })), 124_439_808 + cross);
});

test("decoder inputs: out-of-vocabulary ids, too many positions, mismatched masks and states are typed errors", async () => {
  await initBackend({ backend: "wasm" });
  const model = GPT2LMHeadModel.fromConfig(TINY, { addCrossAttention: true });
  const plain = GPT2LMHeadModel.fromConfig(TINY);
  const before = tf.memory().numTensors;
  const states = tf.zeros([1, 3, 16]) as tf.Tensor3D;
  assert.throws(() => model.forward({ inputIds: [[50]] }), inputError("TOKEN_ID_OUT_OF_RANGE", "vocab_size 50"));
  assert.throws(
    () => model.forward({ inputIds: [Array(9).fill(1)] }),
    inputError("SEQUENCE_TOO_LONG", "n_positions 8"),
  );
  const first = model.forward({ inputIds: [Array(8).fill(1)], useCache: true, encoderHiddenStates: states });
  assert.throws(
    () => model.forward({ inputIds: [[1]], pastKeyValues: first.pastKeyValues }),
    inputError("SEQUENCE_TOO_LONG", "offset 8"),
  );
  assert.throws(
    () => model.forward({ inputIds: [[1, 2]], attentionMask: [[1, 1, 1]] }),
    inputError("SHAPE_MISMATCH", "attentionMask"),
  );
  const narrow = tf.zeros([1, 3, 15]) as tf.Tensor3D;
  assert.throws(
    () => model.forward({ inputIds: [[1]], encoderHiddenStates: narrow }),
    inputError("SHAPE_MISMATCH", "encoderHiddenStates"),
  );
  narrow.dispose();
  assert.throws(
    () => model.forward({ inputIds: [[1]], encoderHiddenStates: states, encoderAttentionMask: [[1, 1]] }),
    inputError("SHAPE_MISMATCH", "encoderAttentionMask"),
  );
  assert.throws(
    () => plain.forward({ inputIds: [[1]], encoderHiddenStates: states }),
    inputError("INVALID_INPUT", "no cross-attention"),
  );
  first.logits.dispose();
  disposeCache(first.pastKeyValues);
  states.dispose();
  assert.equal(tf.memory().numTensors, before, "failed forwards leak nothing");
  model.dispose();
  plain.dispose();
});
