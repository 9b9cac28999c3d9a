import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sharedSkipReason } from "@warmstart/test-utils";
import { baseConfig } from "./base-configs.js";
import { describeComposition } from "./describe-composition.js";
import { ComposerError } from "./errors.js";
import { describePaperCompositions } from "./paper-compositions.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

// Cross-attention of one base-size BERT or GPT-2 decoder: 12 layers × (q, k, v, output 768×768 + bias, LayerNorm).
const BASE_CROSS_ATTENTION = 12 * (4 * (768 * 768 + 768) + 2 * 768);

test("Hugging Face's totals: BERT2BERT from bert-base-uncased and BERTShare from bert-base-cased", async () => {
  const bert2bert = await describeComposition("bert-base-uncased", "bert-base-uncased");
  assert.equal(bert2bert.total, 247_363_386);
  assert.equal(bert2bert.random, BASE_CROSS_ATTENTION);
  assert.equal(bert2bert.leveraged, 247_363_386 - BASE_CROSS_ATTENTION);
  assert.equal(bert2bert.tied, 0);
  assert.equal(bert2bert.randomWeights.decoder.length, 12 * 10);
  assert.ok(bert2bert.randomWeights.decoder.every((n) => n.includes(".crossattention.")));

  const bertShare = await describeComposition("bert-base-cased", "bert-base-cased", { tieEncoderDecoder: true });
  assert.equal(bertShare.total, 137_298_244);
  assert.equal(bertShare.random, BASE_CROSS_ATTENTION);
  // The decoder's BertModel without pooler is the encoder's.
  assert.equal(bertShare.tied, 108_310_272 - (768 * 768 + 768));
});

test("the nine compositions of the paper: random + leveraged = total, and the expected random parts", async () => {
  const rows = await describePaperCompositions();
  assert.deepEqual(
    rows.map((r) => r.name),
    [
      "Rnd2Rnd",
      "Rnd2BERT",
      "BERT2Rnd",
      "Rnd2GPT2",
      "BERT2BERT",
      "BERTShare",
      "RoBERTaShare",
      "BERT2GPT2",
      "RoBERTa2GPT2",
    ],
  );
  const byName = new Map(rows.map((r) => [r.name, r.report]));
  for (const { name, report } of rows) assert.equal(report.leveraged + report.random, report.total, name);
  const bertCased = 108_310_272;
  const gpt2 = 124_439_808;
  assert.equal(byName.get("Rnd2Rnd")?.leveraged, 0);
  assert.equal(byName.get("Rnd2Rnd")?.total, byName.get("BERT2BERT")?.total);
  assert.equal(byName.get("BERT2Rnd")?.leveraged, bertCased);
  assert.equal(byName.get("Rnd2GPT2")?.leveraged, gpt2);
  assert.equal(byName.get("Rnd2GPT2")?.random, bertCased + BASE_CROSS_ATTENTION);
  assert.equal(byName.get("BERT2GPT2")?.total, bertCased + gpt2 + BASE_CROSS_ATTENTION);
  // roberta-base has no pooler weights, so RobertaModel's pooler is random.
  assert.equal(byName.get("RoBERTaShare")?.random, BASE_CROSS_ATTENTION + 768 * 768 + 768);
  assert.deepEqual(byName.get("RoBERTa2GPT2")?.randomWeights.encoder, [
    "encoder.pooler.dense.weight",
    "encoder.pooler.dense.bias",
  ]);
});

test(
  "tiny fixture folders: the goldens' parameter counts and random names, from the safetensors headers",
  { skip: sharedSkipReason(PARITY) },
  async () => {
    for (const [name, folder, tie] of [
      ["bert2bert", "bert", false],
      ["robertashare", "roberta", true],
    ] as const) {
      const g = goldens(name);
      const report = await describeComposition(parityDir(folder), parityDir(folder), { tieEncoderDecoder: tie });
      assert.equal(report.total, g.param_counts.total, name);
      assert.equal(report.leveraged, g.param_counts.leveraged, name);
      assert.equal(report.random, g.param_counts.random, name);
      assert.equal(report.tied, g.param_counts.shared_encoder_decoder, name);
      assert.equal(report.parts.encoder.distinct, g.param_counts.stored_in_encoder_names, name);
      assert.equal(report.parts.decoder.distinct, g.param_counts.stored_in_decoder_names, name);
      assert.deepEqual([...report.randomWeights.encoder].sort(), [...g.randomly_initialised.encoder].sort(), name);
      assert.deepEqual([...report.randomWeights.decoder].sort(), [...g.randomly_initialised.decoder].sort(), name);
      const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
      assert.deepEqual(
        report.tiedWeights.map((t) => ({ name: t.name, same_tensor_as: t.sameAs })).sort(byName),
        [...g.shared_weights_not_stored].sort(byName),
        name,
      );
    }
  },
);

test("different hidden sizes add enc_to_dec_proj, all random", async () => {
  const small = { ...baseConfig("bert-base-cased"), hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 };
  const report = await describeComposition("roberta-base", null, { decoderConfig: small });
  assert.deepEqual(report.randomWeights.projection, ["enc_to_dec_proj.weight", "enc_to_dec_proj.bias"]);
  assert.equal(report.parts.projection?.random, 512 * 768 + 512);
  const same = await describeComposition("bert-base-cased", "gpt2");
  assert.equal(same.parts.projection, null);
});

test("tying two architectures, unknown ids and missing random configs are clear errors", async () => {
  await assert.rejects(
    describeComposition("bert-base-cased", "gpt2", { tieEncoderDecoder: true }),
    (e: unknown) => e instanceof ComposerError && e.code === "TIE_MISMATCH" && /"bert".*"gpt2"/.test(e.message),
  );
  await assert.rejects(
    describeComposition("bert-base-cased", "bert-base-uncased", { tieEncoderDecoder: true }),
    (e: unknown) => e instanceof ComposerError && e.code === "TIE_MISMATCH" && /word_embeddings/.test(e.message),
  );
  await assert.rejects(
    describeComposition("gpt2", "gpt2"),
    (e: unknown) => e instanceof ComposerError && e.code === "UNSUPPORTED_MODEL_TYPE",
  );
  // Another Hub id fetches only its config.json; offline with an empty cache it cannot be found.
  const emptyCache = mkdtempSync(join(tmpdir(), "composer-hub-"));
  try {
    await assert.rejects(
      describeComposition("someone/model", "gpt2", { hub: { offline: true, cacheDir: emptyCache } }),
      /someone\/model/,
    );
  } finally {
    rmSync(emptyCache, { recursive: true, force: true });
  }
  await assert.rejects(
    describeComposition(null, "gpt2"),
    (e: unknown) => e instanceof ComposerError && /encoderConfig/.test(e.message),
  );
});
