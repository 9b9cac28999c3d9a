// tie_word_embeddings: false (measured with transformers 4.57.6 and 5.24.0): the LM head keeps an output matrix of
// its own (`cls.predictions.decoder.weight`, `lm_head.decoder.weight`, GPT-2's `lm_head.weight`). transformers 5
// adds the output Linear's own `decoder.bias` (its `bias` is then unused); 4.x has one bias under both names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { assertClose } from "@warmstart/test-utils";
import { BertLMHeadModel } from "./bert/model.js";
import { GPT2LMHeadModel } from "./gpt2/model.js";
import { RobertaForCausalLM } from "./roberta/model.js";

const BERT = {
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 20,
  max_position_embeddings: 32,
};
const IDS = [[3, 4, 5, 6]];

function logits(model: { forward(i: { inputIds: number[][] }): { logits: tf.Tensor } }): Float32Array {
  const { logits: out } = model.forward({ inputIds: IDS });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

for (const [label, build, head] of [
  [
    "BertLMHeadModel",
    (json: Record<string, unknown>) => BertLMHeadModel.fromConfig({ model_type: "bert", ...json }),
    "cls.predictions",
  ],
  [
    "RobertaForCausalLM",
    (json: Record<string, unknown>) => RobertaForCausalLM.fromConfig({ model_type: "roberta", ...json }),
    "lm_head",
  ],
] as const) {
  test(`${label}: tie_word_embeddings false keeps its own output matrix and the Linear's bias`, async () => {
    await initBackend({ backend: "cpu" });
    const tied = build(BERT);
    assert.equal(
      tied.parameters.has(`${head}.decoder.weight`),
      false,
      "tied (the default): the word embeddings are the output matrix",
    );
    assert.deepEqual(tied.savedCopies(), {});
    tied.dispose();

    const model = build({ ...BERT, tie_word_embeddings: false });
    try {
      const names = model.parameters.names();
      assert.ok(names.includes(`${head}.decoder.weight`) && names.includes(`${head}.decoder.bias`));
      assert.equal(names.includes(`${head}.bias`), false);
      assert.notEqual(
        model.parameters.get(`${head}.decoder.weight`),
        model.parameters.get(`${model.basePrefix}embeddings.word_embeddings.weight`),
      );
      assert.deepEqual(model.savedCopies(), { [`${head}.bias`]: `${head}.decoder.bias` }, "saved under 4.x's name too");
      // The logits use the head's matrix: with it zeroed, every logit is the bias.
      const bias = tf.range(0, 50, 1, "float32");
      model.parameters.get(`${head}.decoder.bias`).assign(bias);
      model.parameters
        .get(`${head}.decoder.weight`)
        .assign(tf.zerosLike(model.parameters.get(`${head}.decoder.weight`)));
      const expected = Float32Array.from({ length: 4 * 50 }, (_, i) => i % 50);
      assertClose(logits(model), expected, 0, "logits = 0 · h + decoder.bias");

      // transformers 4 stores the one bias as `bias`; 5 stores both and adds `decoder.bias`, which wins.
      const weight = tf.ones([50, 16]);
      const v4 = model.loadWeights(
        new Map([
          [`${head}.decoder.weight`, weight],
          [`${head}.bias`, tf.fill([50], 2)],
        ]),
      );
      assert.ok(v4.loaded.includes(`${head}.decoder.bias`) && v4.loaded.includes(`${head}.decoder.weight`));
      assert.deepEqual([...model.parameters.get(`${head}.decoder.bias`).dataSync()].slice(0, 2), [2, 2]);
      const v5 = model.loadWeights(
        new Map([
          [`${head}.bias`, tf.fill([50], 2)],
          [`${head}.decoder.bias`, tf.fill([50], 7)],
        ]),
      );
      assert.deepEqual(v5.unexpected, []);
      assert.deepEqual([...model.parameters.get(`${head}.decoder.bias`).dataSync()].slice(0, 2), [7, 7]);
      tf.dispose([bias, weight]);
    } finally {
      model.dispose();
    }
  });
}

test("GPT2LMHeadModel: tie_word_embeddings false keeps lm_head.weight and loads it instead of filling wte from it", async () => {
  await initBackend({ backend: "cpu" });
  const json = { model_type: "gpt2", vocab_size: 50, n_positions: 16, n_embd: 16, n_layer: 1, n_head: 2 };
  const tied = GPT2LMHeadModel.fromConfig(json);
  assert.equal(tied.parameters.has("lm_head.weight"), false);
  tied.dispose();
  const model = GPT2LMHeadModel.fromConfig({ ...json, tie_word_embeddings: false });
  try {
    const wte = model.parameters.get("transformer.wte.weight").clone();
    const head = tf.zeros([50, 16]);
    const report = model.loadWeights(new Map([["lm_head.weight", head]]));
    assert.deepEqual(report.loaded, ["lm_head.weight"]);
    assert.deepEqual(model.parameters.get("transformer.wte.weight").dataSync(), wte.dataSync(), "wte untouched");
    assertClose(logits(model), new Float32Array(4 * 50), 0, "zero head, no bias: zero logits");
    tf.dispose([wte, head]);
  } finally {
    model.dispose();
  }
});
