import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { describeParameters, listParameters } from "./describe_parameters.js";
import { Parameters } from "./parameters.js";

await tf.setBackend("cpu");

function model(): Parameters {
  const params = new Parameters();
  params.add("embeddings.word_embeddings.weight", tf.zeros([10, 4]));
  params.add("encoder.layer.0.output.dense.bias", tf.zeros([4]));
  params.add("lm_head.decoder.weight", tf.ones([10, 4]));
  params.add("position_ids", tf.zeros([1, 6], "int32"), false);
  return params;
}

test("add/get/has/names, and a duplicate or unknown name is an error", () => {
  const params = model();
  assert.equal(params.has("position_ids"), true);
  assert.equal(params.get("position_ids").trainable, false);
  assert.deepEqual(params.names(), [
    "embeddings.word_embeddings.weight",
    "encoder.layer.0.output.dense.bias",
    "lm_head.decoder.weight",
    "position_ids",
  ]);
  assert.throws(() => params.add("position_ids", tf.zeros([1])), /already registered/);
  assert.throws(() => params.get("nope"), /no parameter named "nope"/);
  params.dispose();
  assert.deepEqual(params.names(), []);
});

test("tie() shares one variable under two names, counts it once and disposes the replaced one", () => {
  const params = model();
  assert.equal(params.count(), 40 + 4 + 40 + 6);
  const head = params.get("lm_head.decoder.weight");
  params.tie("lm_head.decoder.weight", params.get("embeddings.word_embeddings.weight"));
  assert.equal(head.isDisposed, true);
  assert.equal(params.get("lm_head.decoder.weight"), params.get("embeddings.word_embeddings.weight"));
  assert.equal(params.count(), 40 + 4 + 6);
  assert.equal(params.distinct().length, 3);
  assert.throws(
    () => params.tie("encoder.layer.0.output.dense.bias", params.get("position_ids")),
    /shape \[4\] differs from \[1,6\]/,
  );
  params.dispose();
});

test("listParameters and describeParameters show shapes, sizes, ties and a total counting ties once", () => {
  const params = model();
  params.tie("lm_head.decoder.weight", params.get("embeddings.word_embeddings.weight"));
  const rows = listParameters(params);
  assert.deepEqual(rows[2], {
    name: "lm_head.decoder.weight",
    shape: [10, 4],
    size: 40,
    trainable: true,
    tiedTo: "embeddings.word_embeddings.weight",
  });
  assert.equal(rows[0]?.tiedTo, undefined);
  const table = describeParameters(params);
  const lines = table.split("\n");
  assert.match(lines[0] ?? "", /^name +shape +parameters$/);
  assert.match(
    lines[3] ?? "",
    /^lm_head\.decoder\.weight +\[10, 4\] +40 +tied to embeddings\.word_embeddings\.weight$/,
  );
  assert.match(lines[4] ?? "", /^position_ids +\[1, 6\] +6 +frozen$/);
  assert.equal(lines.at(-1), "total: 50 parameters (44 trainable) in 3 tensors");
  params.dispose();
});
