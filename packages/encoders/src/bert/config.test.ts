import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelConfigError, modelTypeOf } from "@warmstart/modeling";
import { BertModel } from "./model.js";
import { bertConfigFromHF, bertConfigToHF } from "./config.js";
import { robertaConfigFromHF } from "../roberta/config.js";

const TINY = {
  model_type: "bert",
  vocab_size: 50,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 12,
  max_position_embeddings: 16,
  architectures: ["BertForMaskedLM"],
  some_future_field: { nested: [1, 2] },
};

function configError(code: string, field: string, text: string) {
  return (error: unknown) =>
    error instanceof ModelConfigError && error.code === code && error.field === field && error.message.includes(text);
}

test("snake_case fields map to camelCase with Hugging Face defaults for the omitted ones", () => {
  const config = bertConfigFromHF(TINY);
  assert.equal(config.hiddenSize, 8);
  assert.equal(config.hiddenAct, "gelu");
  assert.equal(config.layerNormEps, 1e-12);
  assert.equal(config.padTokenId, 0);
  assert.equal(config.isDecoder, false);
  assert.equal(config.addCrossAttention, false);
  const roberta = robertaConfigFromHF({ ...TINY, model_type: "roberta" });
  assert.deepEqual([roberta.padTokenId, roberta.bosTokenId, roberta.eosTokenId], [1, 0, 2]);
});

test("toHF round-trips unknown fields and carries camelCase edits back to snake_case", () => {
  const config = { ...bertConfigFromHF(TINY), isDecoder: true, addCrossAttention: true };
  const json = bertConfigToHF(config);
  assert.deepEqual(json.some_future_field, TINY.some_future_field);
  assert.deepEqual(json.architectures, TINY.architectures);
  assert.equal(json.is_decoder, true);
  assert.equal(json.add_cross_attention, true);
  assert.deepEqual(bertConfigFromHF(json), { ...config, original: json });
});

test("unknown model_type and hidden_act are typed errors naming them", () => {
  assert.throws(
    () => BertModel.fromConfig({ ...TINY, model_type: "t5" }),
    configError("UNKNOWN_MODEL_TYPE", "model_type", '"t5"'),
  );
  // Where the class must come from the file (a registry lookup), a config without model_type is an error.
  assert.throws(() => modelTypeOf({ hidden_size: 8 }), configError("UNKNOWN_MODEL_TYPE", "model_type", "model_type"));
  assert.throws(
    () => bertConfigFromHF({ ...TINY, hidden_act: "gelu_fast_v9" }),
    configError("UNKNOWN_ACTIVATION", "hidden_act", '"gelu_fast_v9"'),
  );
  assert.throws(
    () => robertaConfigFromHF(TINY),
    configError("UNKNOWN_MODEL_TYPE", "model_type", 'expected model_type "roberta"'),
  );
});

test("absurd or inconsistent sizes name the field", () => {
  assert.throws(
    () => bertConfigFromHF({ ...TINY, hidden_size: -3 }),
    configError("INVALID_FIELD", "hidden_size", "-3"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, hidden_size: 2 ** 31 }),
    configError("INVALID_FIELD", "hidden_size", "between 1 and"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, num_hidden_layers: 1.5 }),
    configError("INVALID_FIELD", "num_hidden_layers", "1.5"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, num_attention_heads: 3 }),
    configError("INVALID_FIELD", "hidden_size", "multiple of num_attention_heads"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, pad_token_id: 50 }),
    configError("INVALID_FIELD", "pad_token_id", "vocab_size"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, hidden_dropout_prob: 1 }),
    configError("INVALID_FIELD", "hidden_dropout_prob", "[0, 1)"),
  );
  assert.throws(
    () => bertConfigFromHF({ ...TINY, position_embedding_type: "relative_key" }),
    configError("UNSUPPORTED_FEATURE", "position_embedding_type", "relative_key"),
  );
});

test("the encoder classes refuse add_cross_attention instead of ignoring the weights", () => {
  assert.throws(
    () => new BertModel(bertConfigFromHF({ ...TINY, is_decoder: true, add_cross_attention: true })),
    configError("UNSUPPORTED_FEATURE", "add_cross_attention", "BertLMHeadModel"),
  );
});
