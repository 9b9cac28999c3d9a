// Checkpoints converted before transformers wrote `model_type` into config.json (Google's BERT miniatures, e.g.
// google/bert_uncased_L-2_H-128_A-2, hold Google's original bert_config.json as config.json) are still composed: the
// family comes from the name, as transformers' AutoConfig takes it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startTestHub } from "@warmstart/hub/testing";
import { describeComposition } from "./describe-composition.js";
import { ComposerError } from "./errors.js";

/** google/bert_uncased_L-2_H-128_A-2's config.json as the Hub serves it: no "model_type", no "architectures". */
const BERT_TINY_CONFIG = {
  hidden_size: 128,
  hidden_act: "gelu",
  initializer_range: 0.02,
  vocab_size: 30522,
  hidden_dropout_prob: 0.1,
  num_attention_heads: 2,
  type_vocab_size: 2,
  max_position_embeddings: 512,
  num_hidden_layers: 2,
  intermediate_size: 512,
  attention_probs_dropout_prob: 0.1,
};

const caches: string[] = [];
after(() => {
  for (const dir of caches) rmSync(dir, { recursive: true, force: true });
});

async function withHub(ids: string[], body: (hub: { hubUrl: string; cacheDir: string }) => Promise<void>) {
  const config = JSON.stringify(BERT_TINY_CONFIG);
  const hub = await startTestHub({ repos: ids.map((id) => ({ id, files: { "config.json": config } })) });
  const cacheDir = mkdtempSync(join(tmpdir(), "composer-no-model-type-"));
  caches.push(cacheDir);
  try {
    await body({ hubUrl: hub.url, cacheDir });
  } finally {
    await hub.close();
  }
}

test("a config.json without model_type takes the family its Hub id names (google/bert_uncased_*: bert)", async () => {
  await withHub(["google/bert_uncased_L-2_H-128_A-2"], async (hub) => {
    const id = "google/bert_uncased_L-2_H-128_A-2";
    const report = await describeComposition(id, id, { hub: { ...hub, offline: false, retries: 0 } });
    // BERT-Tiny: 2 layers of width 128 over the 30522-token vocabulary.
    const embeddings = 30522 * 128 + 512 * 128 + 2 * 128 + 2 * 128;
    assert.ok(report.parts.encoder.total > embeddings, `encoder total ${report.parts.encoder.total}`);
    assert.equal(report.parts.encoder.random, 0, "every encoder weight is BERT's");
    assert.ok(report.randomWeights.decoder.every((name) => name.includes("crossattention")));
  });
});

test("a config.json without model_type whose name names no supported family is a typed error saying what to add", async () => {
  await withHub(["someone/checkpoint-7"], async (hub) => {
    await assert.rejects(
      describeComposition("someone/checkpoint-7", null, {
        hub: { ...hub, offline: false, retries: 0 },
        decoderConfig: { ...BERT_TINY_CONFIG, model_type: "bert" },
      }),
      (e: unknown) =>
        e instanceof ComposerError &&
        e.code === "UNSUPPORTED_MODEL_TYPE" &&
        /someone\/checkpoint-7/.test(e.message) &&
        /no "model_type"/.test(e.message) &&
        /bert, roberta, gpt2/.test(e.message),
    );
  });
});
