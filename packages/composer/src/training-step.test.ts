// Acceptance 5: one SGD step on a tied model (RoBERTaShare) changes the encoder's and the decoder's copy of
// every shared weight identically, because they are one variable whose gradient sums both paths.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);

function gradients(
  model: EncoderDecoderModel,
  batch: { inputIds: number[][]; attentionMask: number[][]; labels: number[][] },
): Map<string, tf.Tensor> {
  const named = model.namedParameters();
  const variables = model.trainableVariables();
  const { grads, value } = tf.variableGrads(() => model.forward(batch).loss as tf.Scalar, variables);
  value.dispose();
  const byName = new Map<string, tf.Tensor>();
  for (const [name, variable] of named) {
    const grad = grads[variable.name];
    if (grad !== undefined) byName.set(name, grad);
  }
  return byName;
}

test(
  "one SGD step on RoBERTaShare moves each shared tensor once, by the sum of both paths' gradients",
  { skip },
  async () => {
    await initBackend();
    const g = goldens("robertashare");
    const batch = { inputIds: g.inputs.input_ids, attentionMask: g.inputs.attention_mask, labels: g.loss.labels };
    const roberta = parityDir("roberta");
    const tied = await EncoderDecoderModel.fromEncoderDecoderPretrained(roberta, roberta, {
      tieEncoderDecoder: true,
      seed: 5,
    });
    // The same weights untied (same seed: identical random cross-attention and pooler) to get each path's gradient.
    const untied = await EncoderDecoderModel.fromEncoderDecoderPretrained(roberta, roberta, { seed: 5 });
    try {
      const shared = tied.warmStartReport().tiedWeights;
      assert.equal(shared.length, 37);
      const tiedGrads = gradients(tied, batch);
      const untiedGrads = gradients(untied, batch);
      for (const { name, sameAs } of shared) {
        const expected = tf.add(untiedGrads.get(name) as tf.Tensor, untiedGrads.get(sameAs) as tf.Tensor);
        const actual = tiedGrads.get(sameAs) as tf.Tensor;
        const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] as number;
        assert.ok(diff < 1e-5, `${sameAs}: tied gradient differs from encoder + decoder path by ${diff}`);
        tf.dispose(expected);
      }

      const lr = 0.1;
      const named = tied.namedParameters();
      const before = new Map([...named].map(([n, v]) => [n, v.dataSync().slice()]));
      const { grads, value } = tf.variableGrads(() => tied.forward(batch).loss as tf.Scalar, tied.trainableVariables());
      value.dispose();
      for (const variable of tied.trainableVariables()) {
        const grad = grads[variable.name];
        if (grad !== undefined) variable.assign(tf.tidy(() => tf.sub(variable, tf.mul(grad, lr))));
      }
      tf.dispose(Object.values(grads));
      for (const { name, sameAs } of shared) {
        const decoderCopy = named.get(name) as tf.Variable;
        const encoderCopy = named.get(sameAs) as tf.Variable;
        assert.equal(decoderCopy, encoderCopy, `${name} is the encoder's variable`);
        assert.deepEqual(decoderCopy.dataSync(), encoderCopy.dataSync());
      }
      const moved = named.get("decoder.roberta.embeddings.word_embeddings.weight") as tf.Variable;
      assert.notDeepEqual(
        moved.dataSync(),
        before.get("encoder.embeddings.word_embeddings.weight"),
        "the step changed the shared embeddings",
      );
      tf.dispose([...tiedGrads.values(), ...untiedGrads.values()]);
    } finally {
      tied.dispose();
      untied.dispose();
    }
  },
);
