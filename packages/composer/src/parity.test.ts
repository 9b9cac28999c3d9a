// Acceptance 1: the composed fixtures (bert2bert, robertashare) reproduce the goldens' logits and loss, and
// warm-starting them from the stand-alone checkpoints gives the goldens' exact parameter counts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { assertClose, sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);

test.before(async () => {
  await initBackend();
});

for (const name of ["bert2bert", "robertashare"] as const) {
  test(`${name}: fromPretrained reproduces the goldens' logits and loss`, { skip }, async () => {
    const g = goldens(name);
    const model = await EncoderDecoderModel.fromPretrained(parityDir(name));
    try {
      assert.equal(model.numParameters(), g.param_counts.total);
      const before = tf.memory().numTensors;
      const { logits } = model.forward({
        inputIds: g.inputs.input_ids,
        attentionMask: g.inputs.attention_mask,
        decoderInputIds: g.logits.decoder_input_ids,
      });
      assert.deepEqual(logits.shape, g.logits.logits.shape);
      assertClose(logits.dataSync(), g.logits.logits.data, 1e-4, `${name} logits`);
      logits.dispose();

      const out = model.forward({ inputIds: g.inputs.input_ids, attentionMask: g.inputs.attention_mask, labels: g.loss.labels });
      assertClose(out.logits.dataSync(), g.loss.logits.data, 1e-4, `${name} logits from labels`);
      assert.ok(out.loss !== undefined);
      assert.ok(Math.abs(out.loss.dataSync()[0] as number - g.loss.loss) <= 1e-5, `${name} loss ${out.loss.dataSync()[0]} vs ${g.loss.loss}`);
      out.logits.dispose();
      out.loss.dispose();
      assert.equal(tf.memory().numTensors, before, "forward leaves no tensors behind");
    } finally {
      model.dispose();
    }
  });
}

test("warm-starting bert2bert and robertashare gives the goldens' parameter counts exactly", { skip }, async () => {
  for (const [name, folder, tie] of [["bert2bert", "bert", false], ["robertashare", "roberta", true]] as const) {
    const g = goldens(name);
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir(folder), parityDir(folder), { tieEncoderDecoder: tie });
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
