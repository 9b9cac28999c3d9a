import assert from "node:assert/strict";
import { test } from "node:test";
import { GradientAccumulator } from "./accumulate.js";
import { decaysWeight } from "./decay.js";

test("GradientAccumulator averages micro-batch gradients", () => {
  const acc = new GradientAccumulator();
  acc.add([
    ["w", [1, 2]],
    ["b", [4]],
  ]);
  acc.add([
    ["w", [3, -2]],
    ["b", [0]],
  ]);
  assert.equal(acc.count, 2);
  const mean = acc.mean();
  assert.deepEqual([...(mean.get("w") as Float32Array)], [2, 0]);
  assert.deepEqual([...(mean.get("b") as Float32Array)], [2]);
  acc.reset();
  assert.equal(acc.count, 0);
  assert.throws(() => acc.mean(), { code: "INVALID_STATE" });
  acc.add([["w", [1, 2]]]);
  assert.throws(() => acc.add([["w", [1]]]), { code: "INVALID_STATE" });
});

test("decaysWeight follows transformers' get_decay_parameter_names (names and LayerNorm modules)", () => {
  const noDecay = [
    "encoder.embeddings.LayerNorm.weight",
    "decoder.bert.encoder.layer.1.crossattention.output.LayerNorm.weight",
    "encoder.layer.0.attention.self.query.bias",
    "decoder.transformer.h.0.ln_1.weight",
    "decoder.transformer.ln_f.weight",
    "decoder.transformer.h.3.ln_cross_attn.weight",
    "model.encoder.layers.0.self_attn_layer_norm.weight",
    "model.encoder.layernorm_embedding.weight",
    "decoder.cls.predictions.bias",
    "decoder.transformer.ln_f.bias",
    "model.layers.0.input_norm.weight",
    "model.norm.weight",
  ];
  for (const name of noDecay) assert.equal(decaysWeight(name), false, name);
  const decay = [
    "encoder.embeddings.word_embeddings.weight",
    "decoder.cls.predictions.transform.dense.weight",
    "decoder.transformer.h.0.attn.c_attn.weight",
    "decoder.lm_head.weight",
    "encoder.pooler.dense.weight",
    "enc_to_dec_proj.weight",
  ];
  for (const name of decay) assert.equal(decaysWeight(name), true, name);
});
