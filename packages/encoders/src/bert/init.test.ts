import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { bertConfigFromHF } from "./config.js";
import { robertaConfigFromHF } from "../roberta/config.js";
import { BertModel } from "./model.js";
import { RobertaModel } from "../roberta/model.js";

const TINY = {
  vocab_size: 400,
  hidden_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  intermediate_size: 96,
  max_position_embeddings: 40,
  initializer_range: 0.2,
};

function stats(t: tf.Tensor): { mean: number; std: number } {
  const data = Array.from(t.dataSync());
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
  return { mean, std };
}

test("random initialisation follows Hugging Face: normal(0, initializer_range), zero biases, LayerNorm 1/0, zero padding rows", async () => {
  await initBackend({ backend: "wasm" });
  const model = new RobertaModel(robertaConfigFromHF({ ...TINY, model_type: "roberta" }), { seed: 7 });
  const p = (n: string) => model.parameters.get(n);
  for (const name of [
    "embeddings.word_embeddings.weight",
    "encoder.layer.0.intermediate.dense.weight",
    "pooler.dense.weight",
  ]) {
    const { mean, std } = stats(p(name));
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(std - 0.2) < 0.02, `${name}: mean ${mean}, std ${std}`);
  }
  assert.ok(
    p("encoder.layer.0.attention.self.query.bias")
      .dataSync()
      .every((v) => v === 0),
  );
  assert.ok(
    p("embeddings.LayerNorm.weight")
      .dataSync()
      .every((v) => v === 1),
  );
  assert.ok(
    p("encoder.layer.0.output.LayerNorm.bias")
      .dataSync()
      .every((v) => v === 0),
  );
  // RoBERTa's pad id 1 is the padding row of both the word and the position table.
  for (const table of ["word_embeddings", "position_embeddings"]) {
    const rows = p(`embeddings.${table}.weight`).arraySync() as number[][];
    assert.ok(rows[1]!.every((v) => v === 0) && rows[0]!.some((v) => v !== 0), table);
  }
  model.dispose();
});

test("initialisation is seeded", async () => {
  await initBackend({ backend: "wasm" });
  const config = bertConfigFromHF({ ...TINY, model_type: "bert" });
  const [a, b, c] = [
    new BertModel(config, { seed: 1 }),
    new BertModel(config, { seed: 1 }),
    new BertModel(config, { seed: 2 }),
  ];
  const w = (m: BertModel) => m.parameters.get("encoder.layer.0.attention.self.key.weight").dataSync();
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  for (const m of [a, b, c]) m.dispose();
});

test("parameterShapes counts bert-base-uncased without allocating: 109,482,240 parameters", () => {
  const base = bertConfigFromHF({ model_type: "bert" });
  const before = tf.memory().numTensors;
  const shapes = BertModel.parameterShapes(base);
  const count = [...shapes.values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(count, 109_482_240);
  assert.equal(shapes.size, 199);
  assert.deepEqual(shapes.get("encoder.layer.11.intermediate.dense.weight"), [3072, 768]);
  assert.equal(BertModel.parameterShapes(base, { addPoolingLayer: false }).has("pooler.dense.weight"), false);
  assert.equal(tf.memory().numTensors, before);
});

test("dropout is active only in training mode, and seeded", async () => {
  await initBackend({ backend: "wasm" });
  const config = bertConfigFromHF({ ...TINY, model_type: "bert", hidden_dropout_prob: 0.3 });
  const ids = [[2, 3, 4, 5, 6]];
  const run = (m: BertModel) => {
    const out = m.forward({ inputIds: ids });
    const data = out.lastHiddenState.dataSync();
    tf.dispose([out.lastHiddenState, out.poolerOutput!]);
    return data;
  };
  const model = new BertModel(config, { seed: 4 });
  const evalOut = run(model);
  assert.deepEqual(run(model), evalOut, "eval mode is deterministic");
  model.train();
  const trainOut = run(model);
  assert.notDeepEqual(trainOut, evalOut);
  const twin = new BertModel(config, { seed: 4 }).train();
  assert.deepEqual(run(twin), trainOut, "same seed, same dropout masks");
  model.eval();
  assert.deepEqual(run(model), evalOut);
  model.dispose();
  twin.dispose();
});

test("the dropout state continues a model's masks in another model (another seed), and bad states are refused", async () => {
  await initBackend({ backend: "wasm" });
  const config = bertConfigFromHF({ ...TINY, model_type: "bert", hidden_dropout_prob: 0.3 });
  const ids = [[2, 3, 4, 5, 6]];
  const run = (m: BertModel) => {
    const out = m.forward({ inputIds: ids });
    const data = out.lastHiddenState.dataSync();
    tf.dispose([out.lastHiddenState, out.poolerOutput!]);
    return data;
  };
  const model = new BertModel(config, { seed: 4 }).train();
  run(model);
  const state = model.getDropoutState();
  assert.equal(state.seed, 4);
  assert.ok(state.calls > 0, "the first forward drew masks");
  const next = run(model);
  // Same weights, another init seed: only the restored state makes the next masks equal.
  const other = new BertModel(config, { seed: 9 }).train();
  for (const [name, variable] of model.parameters.entries()) other.parameters.get(name).assign(variable);
  assert.notDeepEqual(run(other), next, "a fresh stream draws other masks");
  other.setDropoutState(state);
  assert.deepEqual(run(other), next, "the restored stream draws the same masks");
  assert.throws(
    () => other.setDropoutState({ seed: 1.5, calls: 0 }),
    /dropout state must be \{ seed, calls \} safe integers/,
  );
  assert.throws(() => other.setDropoutState({ seed: 1, calls: -1 }), TypeError);
  model.dispose();
  other.dispose();
});
