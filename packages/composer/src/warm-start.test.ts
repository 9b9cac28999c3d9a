// Acceptance 2: all nine compositions warm-started from the tiny stand-alone checkpoints (bert/, roberta/,
// gpt2/): every pretrained weight equals the checkpoint's, exactly the cross-attention weights (plus
// RoBERTa's pooler, which roberta checkpoints lack) are reported random, and random parts are all random.
import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, openCheckpoint, tf } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { describeComposition } from "./describe-composition.js";
import { EncoderDecoderConfig } from "./encoder-decoder-config.js";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { isCrossAttention } from "./weight-names.js";
import { readConfigFile } from "./part-source.js";
import { paperCompositions } from "./paper-compositions.js";
import { PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);

/** The checkpoint tensor a model weight is warm-started from: the same name, or with / without the base prefix. */
function checkpointName(names: Set<string>, name: string, basePrefix: string): string | undefined {
  const candidates = [name, basePrefix + name, name.startsWith(basePrefix) ? name.slice(basePrefix.length) : ""];
  return candidates.find((c) => names.has(c));
}

const BASE_PREFIX: Record<string, string> = { bert: "bert.", roberta: "roberta.", gpt2: "transformer." };

test(
  "nine compositions from the tiny checkpoints: pretrained weights copied, exactly cross-attention random",
  { skip },
  async () => {
    await initBackend();
    const dirs = { bert: parityDir("bert"), roberta: parityDir("roberta"), gpt2: parityDir("gpt2") };
    const compositions = paperCompositions({ ...dirs, randomConfig: readConfigFile(dirs.bert) });
    const checkpoints = new Map(
      await Promise.all(Object.values(dirs).map(async (d) => [d, await openCheckpoint(d)] as const)),
    );
    try {
      for (const c of compositions) {
        const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(c.encoder, c.decoder, {
          ...c.options,
          seed: 7,
        });
        try {
          const report = model.warmStartReport();
          assert.deepEqual(
            report,
            await describeComposition(c.encoder, c.decoder, c.options),
            `${c.name}: report = config-only description`,
          );
          for (const part of ["encoder", "decoder"] as const) {
            const spec = part === "encoder" ? c.encoder : c.decoder;
            const params = part === "encoder" ? model.encoder.parameters : model.decoder.parameters;
            const modelType = (part === "encoder" ? model.config.encoder : model.config.decoder).model_type as string;
            const random = new Set(report.randomWeights[part]);
            const tied = new Set(report.tiedWeights.map((t) => t.name));
            if (spec === null) {
              for (const name of params.names()) {
                assert.ok(
                  random.has(`${part}.${name}`) || tied.has(`${part}.${name}`),
                  `${c.name}: ${part}.${name} should be random`,
                );
              }
              continue;
            }
            const checkpoint = checkpoints.get(spec as string);
            assert.ok(checkpoint !== undefined);
            const names = new Set(checkpoint.names());
            const expectedRandom: string[] = [];
            for (const [name, variable] of params.entries()) {
              const source = checkpointName(names, name, BASE_PREFIX[modelType] as string);
              if (part === "decoder" && isCrossAttention(name)) {
                assert.equal(source, undefined, `${c.name}: the checkpoint has no cross-attention`);
                expectedRandom.push(`${part}.${name}`);
                continue;
              }
              if (source === undefined) {
                assert.ok(
                  modelType === "roberta" && name.startsWith("pooler."),
                  `${c.name}: ${part}.${name} has no checkpoint tensor`,
                );
                expectedRandom.push(`${part}.${name}`);
                continue;
              }
              const stored = checkpoint.tensor(source);
              const equal = tf.tidy(() => tf.all(tf.equal(stored, variable)).dataSync()[0] === 1);
              stored.dispose();
              assert.ok(equal, `${c.name}: ${part}.${name} differs from the checkpoint's ${source}`);
            }
            assert.deepEqual(report.randomWeights[part], expectedRandom, `${c.name}: ${part} random weights`);
          }
          if (c.options.tieEncoderDecoder === true) {
            assert.ok(report.tiedWeights.length > 0);
            for (const { name, sameAs } of report.tiedWeights) {
              const decoderVariable = model.decoder.parameters.get(name.slice("decoder.".length));
              assert.equal(
                decoderVariable,
                model.encoder.parameters.get(sameAs.slice("encoder.".length)),
                `${c.name}: ${name} is the encoder's variable`,
              );
            }
          } else {
            assert.equal(report.tied, 0);
          }
        } finally {
          model.dispose();
        }
      }
    } finally {
      for (const checkpoint of checkpoints.values()) checkpoint.close();
    }
  },
);

test("different hidden sizes: enc_to_dec_proj is added, random, and the forward pass runs", { skip }, async () => {
  await initBackend();
  const decoderConfig = { ...readConfigFile(parityDir("gpt2")), n_embd: 16, n_head: 2, n_inner: 20 };
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("bert"), decoderConfig, {
    eosTokenId: 999,
    padTokenId: 0,
  });
  try {
    assert.ok(model.projection !== null);
    assert.deepEqual(model.projection.get("weight").shape, [16, 32]);
    assert.deepEqual(model.warmStartReport().randomWeights.projection, [
      "enc_to_dec_proj.weight",
      "enc_to_dec_proj.bias",
    ]);
    const { logits, loss } = model.forward({ inputIds: [[101, 5, 102]], labels: [[7, 8, 999]] });
    assert.deepEqual(logits.shape, [1, 3, 1000]);
    assert.ok(Number.isFinite(loss?.dataSync()[0]));
    logits.dispose();
    loss?.dispose();
  } finally {
    model.dispose();
  }
});

test("BERT2GPT2 generates the same ids with and without the key/value cache", { skip }, async () => {
  await initBackend();
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("bert"), parityDir("gpt2"), {
    padTokenId: 0,
    seed: 11,
  });
  try {
    assert.deepEqual([model.config.decoderStartTokenId, model.config.eosTokenId], [999, 999], "GPT-2's bos / eos");
    const inputs = {
      inputIds: [
        [101, 243, 163, 430, 102],
        [101, 113, 102, 0, 0],
      ],
      attentionMask: [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0],
      ],
    };
    for (const numBeams of [1, 3]) {
      const before = tf.memory().numTensors;
      const cached = await model.generate(inputs, { numBeams, maxLength: 8, useCache: true });
      const uncached = await model.generate(inputs, { numBeams, maxLength: 8, useCache: false });
      assert.deepEqual(cached.sequences, uncached.sequences, `numBeams ${numBeams}`);
      assert.equal(cached.sequences[0]?.[0], 999);
      assert.equal(tf.memory().numTensors, before, "generation frees every cache and encoder state");
    }
  } finally {
    model.dispose();
  }
});

test(
  "fromConfig builds the composed architecture with every weight random, tied as the config says",
  { skip },
  async () => {
    await initBackend();
    const config = EncoderDecoderConfig.fromJSON(readConfigFile(parityDir("robertashare")));
    const model = EncoderDecoderModel.fromConfig(config, { seed: 1 });
    try {
      const report = model.warmStartReport();
      assert.equal(report.total, 59_538);
      assert.equal(report.leveraged, 0);
      assert.equal(report.tied, 47_786);
      assert.equal(model.numParameters(), 59_538);
    } finally {
      model.dispose();
    }
  },
);
