// A new contributor's family, registered from outside the package through its public surface (../index.js is what
// `@warmstart/composer` exports): nothing else in the repository is edited for it, yet composition, the config-only
// accounting and AutoEncoder find it. The CLI's half of this test is apps/cli/src/commands/inspect-stub-family.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  ConfigReader,
  linearSpecs,
  ModelConfigError,
  PretrainedModule,
  specsToShapes,
  type ParameterSpecs,
} from "@warmstart/modeling";
import { initBackend, linear, tf } from "@warmstart/tensors";
import {
  AutoDecoder,
  AutoEncoder,
  ComposerError,
  describeComposition,
  EncoderDecoderConfig,
  EncoderDecoderModel,
  modelFamily,
  modelTypes,
  registerModelFamily,
  unregisterModelFamily,
  type HFConfigJSON,
  type ModelFamily,
} from "../index.js";

interface ToyConfig {
  vocabSize: number;
  hiddenSize: number;
}

/** The family's typed config reader: the one place its config.json fields are read (and validated). */
function toyConfigFromHF(json: HFConfigJSON): ToyConfig {
  const r = new ConfigReader(json, "toy");
  return { vocabSize: r.size("vocab_size", 16), hiddenSize: r.size("hidden_size", 6) };
}

function toySpecs(config: ToyConfig): ParameterSpecs {
  return new Map([
    [
      "embeddings.word_embeddings.weight",
      { shape: [config.vocabSize, config.hiddenSize], init: { kind: "normal", std: 0.5 } },
    ],
    ...linearSpecs("dense", config.hiddenSize, config.hiddenSize, 0.5),
  ]);
}

/** A one-layer encoder: tanh(dense(embedding)). Enough to be told apart from an encoder that ignores its input. */
class ToyEncoder extends PretrainedModule<ToyConfig> {
  constructor(config: ToyConfig, options: { seed?: number } = {}) {
    super(config, toySpecs(config), { basePrefix: "toy." }, options);
  }

  forward(inputs: { inputIds: tf.Tensor | number[][] }): { lastHiddenState: tf.Tensor } {
    return tf.tidy(() => {
      const ids =
        inputs.inputIds instanceof tf.Tensor ? inputs.inputIds : tf.tensor2d(inputs.inputIds, undefined, "int32");
      const embedded = tf.gather(this.param("embeddings.word_embeddings.weight"), ids.toInt());
      const dense = linear(embedded, this.param("dense.weight"), this.param("dense.bias"), "out_in");
      return { lastHiddenState: tf.tanh(dense) };
    });
  }
}

const toyFamily: ModelFamily = {
  modelType: "toy",
  displayName: "Toy",
  basePrefix: "toy.",
  hiddenSize: (json) => toyConfigFromHF(json).hiddenSize,
  initializerRange: () => 0.5,
  // The toy has no position embeddings: any length.
  maxPositions: () => Number.POSITIVE_INFINITY,
  configClassDefaults: {},
  configToHF: (json) => {
    const config = toyConfigFromHF(json);
    return { ...json, model_type: "toy", vocab_size: config.vocabSize, hidden_size: config.hiddenSize };
  },
  encoder: {
    create: (json, options) => new ToyEncoder(toyConfigFromHF(json), options),
    parameterShapes: (json) => specsToShapes(toySpecs(toyConfigFromHF(json))),
  },
  decoder: null,
  tokenizer: { kind: "wordpiece" },
  pretraining: null,
  hubCheckpointLacks: () => false,
};

const VOCAB = 20;
const TOY: HFConfigJSON = { model_type: "toy", vocab_size: VOCAB, hidden_size: 6 };
const BERT: HFConfigJSON = {
  model_type: "bert",
  vocab_size: VOCAB,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 32,
};
const TOKENS = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 };
const TOY_PARAMETERS = VOCAB * 6 + 6 * 6 + 6;
// enc_to_dec_proj: toy's 6 → BERT's 8.
const PROJECTION_PARAMETERS = 8 * 6 + 8;

const scratch = mkdtempSync(join(tmpdir(), "composer-stub-family-"));
before(async () => {
  await initBackend();
  registerModelFamily(toyFamily);
});
after(() => {
  unregisterModelFamily("toy");
  rmSync(scratch, { recursive: true, force: true });
});

function logitsOf(model: EncoderDecoderModel, inputIds: number[][]): Float32Array {
  const { logits } = model.forward({ inputIds, decoderInputIds: [[1, 5, 6]] });
  assert.deepEqual(logits.shape, [1, 3, VOCAB]);
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

test("the registry lists the registered family after the built-in ones, and refuses a second toy", () => {
  assert.equal(modelFamily("toy"), toyFamily);
  assert.deepEqual(modelTypes(), ["bert", "roberta", "gpt2", "toy"]);
  assert.ok(AutoEncoder.modelTypes.includes("toy"));
  assert.ok(!AutoDecoder.modelTypes.includes("toy"));
  assert.throws(
    () => registerModelFamily(toyFamily),
    (e: unknown) => e instanceof ComposerError && /"toy" is already registered/.test(e.message),
  );
});

test("AutoEncoder builds the toy encoder; AutoDecoder names the field and the families that decode", () => {
  const encoder = AutoEncoder.fromConfig(TOY, { seed: 3 });
  try {
    assert.ok(encoder instanceof ToyEncoder);
    const { lastHiddenState } = encoder.forward({ inputIds: [[3, 4]] });
    assert.deepEqual(lastHiddenState.shape, [1, 2, 6]);
    lastHiddenState.dispose();
  } finally {
    encoder.dispose();
  }
  assert.throws(
    () => AutoDecoder.fromConfig(TOY),
    (e: unknown) =>
      e instanceof ModelConfigError &&
      e.field === "model_type" &&
      /no decoder for model_type "toy"; supported: bert, roberta, gpt2$/.test(e.message),
  );
});

test("compose: a toy encoder with a BERT decoder warm-starts, forwards through the projection, saves and loads", async () => {
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: TOY,
    decoderConfig: BERT,
    ...TOKENS,
  });
  try {
    assert.ok(model.encoder instanceof ToyEncoder);
    assert.notEqual(model.projection, null);
    const first = logitsOf(model, [[3, 4, 5, 6]]);
    // The decoder reads the toy encoder's states: another source sentence gives other logits.
    const other = logitsOf(model, [[7, 8, 9, 10]]);
    assert.ok(first.some((v, i) => Math.abs(v - (other[i] as number)) > 1e-6));
    // Weights no seeded initialisation gives: only loading the saved toy weights reproduces these logits.
    const bias = model.encoder.parameters.get("dense.bias");
    bias.assign(tf.fill(bias.shape, 0.25));
    const trained = logitsOf(model, [[3, 4, 5, 6]]);
    const dir = join(scratch, "toy2bert");
    await model.savePretrained(dir);
    const loaded = await EncoderDecoderModel.fromPretrained(dir);
    try {
      assert.ok(loaded.encoder instanceof ToyEncoder);
      assert.deepEqual(logitsOf(loaded, [[3, 4, 5, 6]]), trained);
    } finally {
      loaded.dispose();
    }
  } finally {
    model.dispose();
  }
});

test("EncoderDecoderModel.fromConfig(EncoderDecoderConfig.fromSubConfigs(toy, bert)) builds it; toy cannot decode", () => {
  const config = EncoderDecoderConfig.fromSubConfigs(TOY, BERT, TOKENS);
  const model = EncoderDecoderModel.fromConfig(config, { seed: 1 });
  try {
    assert.ok(model.encoder instanceof ToyEncoder);
    assert.equal(model.encoder.parameters.count(), TOY_PARAMETERS);
  } finally {
    model.dispose();
  }
  assert.throws(
    () => EncoderDecoderModel.fromConfig(EncoderDecoderConfig.fromSubConfigs(BERT, TOY, TOKENS)),
    (e: unknown) =>
      e instanceof ComposerError &&
      e.code === "UNSUPPORTED_MODEL_TYPE" &&
      /decoder config: model_type "toy" is an encoder-only architecture; use bert or roberta or gpt2/.test(e.message),
  );
});

test("describeComposition counts the toy encoder from its config alone", async () => {
  const report = await describeComposition(null, null, { encoderConfig: TOY, decoderConfig: BERT });
  assert.equal(report.parts.encoder.total, TOY_PARAMETERS);
  assert.equal(report.parts.encoder.random, TOY_PARAMETERS);
  assert.equal(report.parts.projection?.total, PROJECTION_PARAMETERS);
  assert.deepEqual(report.randomWeights.encoder, [
    "encoder.embeddings.word_embeddings.weight",
    "encoder.dense.weight",
    "encoder.dense.bias",
  ]);
  assert.equal(report.leveraged, 0);
});

test("once unregistered, toy is unknown again and the error lists the remaining families", async () => {
  unregisterModelFamily("toy");
  try {
    await assert.rejects(
      describeComposition(null, null, { encoderConfig: TOY, decoderConfig: BERT }),
      (e: unknown) =>
        e instanceof ComposerError &&
        e.code === "UNSUPPORTED_MODEL_TYPE" &&
        /encoder config: model_type "toy" is not supported \(supported: bert, roberta, gpt2\)/.test(e.message),
    );
  } finally {
    registerModelFamily(toyFamily);
  }
});
