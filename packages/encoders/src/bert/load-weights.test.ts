import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, openCheckpoint, tf } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { formatLoadReport, WeightLoadError } from "@warmstart/modeling";
import { BertModel } from "./model.js";
import { bertConfigFromHF } from "./config.js";
import { robertaConfigFromHF } from "../roberta/config.js";
import { RobertaModel } from "../roberta/model.js";
import { PARITY, parityCheckpoint, readParityConfig } from "../test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);

/** Every tensor of a fixture checkpoint in a Map under names rewritten by `rename`. */
async function renamedWeights(name: string, rename: (n: string) => string): Promise<Map<string, tf.Tensor>> {
  const checkpoint = await openCheckpoint(parityCheckpoint(name));
  const map = new Map(checkpoint.names().map((n) => [rename(n), checkpoint.tensor(n)] as [string, tf.Tensor]));
  checkpoint.close();
  return map;
}

function disposeAll(map: Map<string, tf.Tensor>): void {
  for (const t of map.values()) t.dispose();
}

test("BERT checkpoint into BertModel: everything loaded, pre-training heads unused", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const model = await BertModel.fromPretrained(parityCheckpoint("bert"));
  const report = model.loadReport!;
  assert.deepEqual(report.missing, []);
  assert.equal(report.loaded.length, model.parameters.names().length);
  assert.ok(report.loaded.includes("pooler.dense.weight"));
  assert.deepEqual(report.unexpected.sort(), [
    "cls.predictions.bias",
    "cls.predictions.decoder.weight",
    "cls.predictions.transform.LayerNorm.bias",
    "cls.predictions.transform.LayerNorm.weight",
    "cls.predictions.transform.dense.bias",
    "cls.predictions.transform.dense.weight",
    "cls.seq_relationship.bias",
    "cls.seq_relationship.weight",
  ]);
  const text = formatLoadReport(report, { modelName: "BertModel" });
  assert.match(
    text,
    new RegExp(`^BertModel: ${report.loaded.length} weights loaded, 0 newly initialised, 8 checkpoint weights unused`),
  );
  assert.match(text, /Unused checkpoint weights \(8\):\n {2}cls\.predictions\.bias/);
  model.dispose();
});

test("RoBERTa checkpoint into RobertaModel: the pooler is newly initialised, lm_head unused", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const reports: unknown[] = [];
  const model = await RobertaModel.fromPretrained(parityCheckpoint("roberta"), {
    onLoadReport: (r) => reports.push(r),
  });
  const report = model.loadReport!;
  assert.deepEqual(reports, [report]);
  assert.deepEqual(report.missing, ["pooler.dense.weight", "pooler.dense.bias"]);
  assert.ok(report.unexpected.every((n) => n.startsWith("lm_head.")) && report.unexpected.length === 6);
  assert.match(
    formatLoadReport(report),
    /Newly initialised \(train before use\) \(2\):\n {2}pooler\.dense\.weight\n {2}pooler\.dense\.bias/,
  );
  model.dispose();
});

test("names without the bert. prefix and legacy LayerNorm.gamma/beta load the same weights", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const config = bertConfigFromHF(readParityConfig("bert"));
  const reference = await BertModel.fromPretrained(parityCheckpoint("bert"));
  const legacy = await renamedWeights("bert", (n) =>
    n
      .replace(/^bert\./, "")
      .replace(/LayerNorm\.weight$/, "LayerNorm.gamma")
      .replace(/LayerNorm\.bias$/, "LayerNorm.beta"),
  );
  legacy.set("embeddings.position_ids", tf.range(0, 64, 1, "int32").reshape([1, 64]));
  assert.ok(legacy.has("embeddings.LayerNorm.gamma"));
  const model = new BertModel(config, { seed: 5 });
  const report = model.loadWeights(legacy);
  assert.deepEqual(report.missing, []);
  assert.deepEqual(report.skipped, ["embeddings.position_ids"]);
  const ids = [[101, 7, 8, 102]];
  const a = reference.forward({ inputIds: ids });
  const b = model.forward({ inputIds: ids });
  assert.deepEqual(b.lastHiddenState.dataSync(), a.lastHiddenState.dataSync());
  tf.dispose([a.lastHiddenState, a.poolerOutput!, b.lastHiddenState, b.poolerOutput!]);
  disposeAll(legacy);
  reference.dispose();
  model.dispose();
});

test("the prefix option reads one part of a composed file", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const composed = await renamedWeights("roberta", (n) => n.replace(/^roberta\./, "encoder."));
  composed.set("decoder.lm_head.bias", tf.zeros([1000]));
  const model = new RobertaModel(robertaConfigFromHF(readParityConfig("roberta")));
  const report = model.loadWeights(composed, { prefix: "encoder." });
  assert.deepEqual(report.missing, ["pooler.dense.weight", "pooler.dense.bias"]);
  assert.deepEqual(report.unexpected, [], "names outside the prefix are not this model's business");
  disposeAll(composed);
  model.dispose();
});

test(
  "a weight whose shape differs from the config throws naming the tensor and both shapes, loading nothing",
  { skip },
  async () => {
    await initBackend({ backend: "wasm" });
    const weights = await renamedWeights("bert", (n) => n);
    const wrong = weights.get("bert.encoder.layer.1.intermediate.dense.weight")!;
    weights.set("bert.encoder.layer.1.intermediate.dense.weight", tf.zeros([36, 32]));
    wrong.dispose();
    const model = new BertModel(bertConfigFromHF(readParityConfig("bert")), { seed: 1 });
    const before = model.parameters.get("embeddings.word_embeddings.weight").dataSync().slice();
    assert.throws(
      () => model.loadWeights(weights),
      (error: unknown) =>
        error instanceof WeightLoadError &&
        error.code === "SHAPE_MISMATCH" &&
        error.tensor === "bert.encoder.layer.1.intermediate.dense.weight" &&
        error.message.includes("[36,32]") &&
        error.message.includes("[37,32]"),
    );
    assert.deepEqual(
      model.parameters.get("embeddings.word_embeddings.weight").dataSync(),
      before,
      "nothing was assigned",
    );
    disposeAll(weights);
    model.dispose();
  },
);
