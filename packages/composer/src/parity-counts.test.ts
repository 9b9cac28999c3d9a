// Warm-starting the composed fixtures (bert2bert, robertashare) from the stand-alone checkpoints gives the goldens'
// exact parameter counts; their logits, loss and generation are checked per backend in parity-<backend>.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);

test.before(async () => {
  await initBackend();
});

test("warm-starting bert2bert and robertashare gives the goldens' parameter counts exactly", { skip }, async () => {
  for (const [name, folder, tie] of [
    ["bert2bert", "bert", false],
    ["robertashare", "roberta", true],
  ] as const) {
    const g = goldens(name);
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir(folder), parityDir(folder), {
      tieEncoderDecoder: tie,
    });
    try {
      const report = model.warmStartReport();
      assert.deepEqual(
        {
          total: report.total,
          leveraged: report.leveraged,
          random: report.random,
          stored_in_encoder_names: report.parts.encoder.distinct,
          stored_in_decoder_names: report.parts.decoder.distinct,
          shared_encoder_decoder: report.tied,
        },
        g.param_counts,
        name,
      );
      assert.equal(model.numParameters(), g.param_counts.total, name);
      assert.deepEqual([...report.randomWeights.encoder].sort(), [...g.randomly_initialised.encoder].sort(), name);
      assert.deepEqual([...report.randomWeights.decoder].sort(), [...g.randomly_initialised.decoder].sort(), name);
      // RoBERTa's config has bos/eos/pad, which become the composed model's tokens; BERT's has only pad,
      // so the recipe's [CLS]/[SEP] must be set by the user.
      const { decoderStartTokenId, eosTokenId, padTokenId } = model.config;
      const expected = name === "robertashare" ? [0, 2, 1] : [null, null, 0];
      assert.deepEqual([decoderStartTokenId, eosTokenId, padTokenId], expected, name);
    } finally {
      model.dispose();
    }
  }
});
