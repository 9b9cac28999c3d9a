import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { ModelInputError } from "@warmstart/modeling";
import { bertConfigFromHF } from "./config.js";
import { robertaConfigFromHF } from "../roberta/config.js";
import { BertModel } from "./model.js";
import { RobertaModel } from "../roberta/model.js";

const TINY = {
  vocab_size: 30,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 12,
  max_position_embeddings: 10,
};

function inputError(code: string, text: string) {
  return (error: unknown) => error instanceof ModelInputError && error.code === code && error.message.includes(text);
}

test("bad inputs are typed errors and leak nothing", async () => {
  await initBackend({ backend: "wasm" });
  const model = new BertModel(bertConfigFromHF({ ...TINY, model_type: "bert" }));
  const before = tf.memory().numTensors;
  assert.throws(
    () => model.forward({ inputIds: [[1, 30]] }),
    inputError("TOKEN_ID_OUT_OF_RANGE", "inputIds[0][1] = 30 is outside [0, 30)"),
  );
  assert.throws(() => model.forward({ inputIds: [[-1]] }), inputError("TOKEN_ID_OUT_OF_RANGE", "= -1"));
  assert.throws(() => model.forward({ inputIds: [[1.5]] }), inputError("INVALID_INPUT", "not an integer"));
  assert.throws(
    () => model.forward({ inputIds: [Array(11).fill(1)] }),
    inputError("SEQUENCE_TOO_LONG", "max_position_embeddings 10"),
  );
  assert.throws(() => model.forward({ inputIds: [[1, 2], [3]] }), inputError("SHAPE_MISMATCH", "equal lengths"));
  assert.throws(
    () => model.forward({ inputIds: [[1, 2]], tokenTypeIds: [[0, 2]] }),
    inputError("TOKEN_ID_OUT_OF_RANGE", "type_vocab_size 2"),
  );
  assert.throws(
    () => model.forward({ inputIds: [[1, 2]], attentionMask: [[1]] }),
    inputError("SHAPE_MISMATCH", "attentionMask"),
  );
  assert.throws(
    () => model.forward({ inputIds: [[1, 2]], attentionMask: [[1, 2]] }),
    inputError("INVALID_INPUT", "only 0 and 1"),
  );
  const ids = tf.tensor3d([[[1]]], [1, 1, 1], "int32");
  assert.throws(() => model.forward({ inputIds: ids }), inputError("SHAPE_MISMATCH", "[batch, length]"));
  ids.dispose();
  assert.equal(tf.memory().numTensors, before);
  const full = model.forward({ inputIds: [Array(10).fill(1)] });
  assert.deepEqual(full.lastHiddenState.shape, [1, 10, 8]);
  tf.dispose([full.lastHiddenState, full.poolerOutput!]);
  model.dispose();
});

test("RoBERTa's longest sequence is max_position_embeddings - pad - 1 real tokens; pads do not count", async () => {
  await initBackend({ backend: "wasm" });
  const model = new RobertaModel(robertaConfigFromHF({ ...TINY, model_type: "roberta" }));
  const ok = model.forward({ inputIds: [[...Array(8).fill(5), 1, 1]] });
  tf.dispose([ok.lastHiddenState, ok.poolerOutput!]);
  assert.throws(
    () => model.forward({ inputIds: [Array(9).fill(5)] }),
    inputError("SEQUENCE_TOO_LONG", "position id 10"),
  );
  model.dispose();
});

test("with is_decoder, BertModel attends causally: earlier outputs ignore later tokens", async () => {
  await initBackend({ backend: "wasm" });
  const model = new BertModel(bertConfigFromHF({ ...TINY, model_type: "bert", is_decoder: true }));
  const first = (ids: number[][]) => {
    const out = model.forward({ inputIds: ids });
    const rows = out.lastHiddenState.arraySync()[0]!;
    tf.dispose([out.lastHiddenState, out.poolerOutput!]);
    return rows;
  };
  const a = first([[3, 4, 5]]);
  const b = first([[3, 4, 9]]);
  assert.deepEqual(b.slice(0, 2), a.slice(0, 2));
  assert.notDeepEqual(b[2], a[2]);
  model.dispose();
});
