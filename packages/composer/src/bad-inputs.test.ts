// Acceptance 6: bad inputs give errors that say what is wrong and where.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initBackend, openCheckpoint, tf, writeSafetensors } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { ComposerError } from "./errors.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);
const scratch = mkdtempSync(join(tmpdir(), "composer-bad-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const isError = (code: ComposerError["code"], pattern: RegExp) => (e: unknown) =>
  e instanceof ComposerError && e.code === code && pattern.test(e.message);

/** A copy of bert2bert whose weights keep only the tensors `keep` accepts. */
async function copyWithout(name: string, keep: (tensor: string) => boolean): Promise<string> {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const source = parityDir("bert2bert");
  for (const file of ["config.json", "generation_config.json"]) copyFileSync(join(source, file), join(dir, file));
  const checkpoint = await openCheckpoint(source);
  const tensors = new Map(
    checkpoint
      .names()
      .filter(keep)
      .map((n) => [n, checkpoint.tensor(n)]),
  );
  checkpoint.close();
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  tf.dispose([...tensors.values()]);
  return dir;
}

test("labels outside the decoder's vocabulary", { skip }, async () => {
  await initBackend();
  const g = goldens("bert2bert");
  const model = await EncoderDecoderModel.fromPretrained(parityDir("bert2bert"));
  try {
    // GPT-2 ids (vocab 50257) given to a BERT decoder of vocab 1000.
    const labels = [
      [438, 601, 50256],
      [538, 458, -100],
    ];
    assert.throws(
      () => model.forward({ inputIds: g.inputs.input_ids, attentionMask: g.inputs.attention_mask, labels }),
      isError("LABEL_OUT_OF_VOCAB", /labels\[0\]\[2\] is 50256.*vocab_size 1000/),
    );
    assert.throws(
      () => model.forward({ inputIds: g.inputs.input_ids }),
      isError("INVALID_INPUT", /decoderInputIds or labels/),
    );
  } finally {
    model.dispose();
  }
});

test("a checkpoint without encoder.* weights, or missing some decoder weights", { skip }, async () => {
  await initBackend();
  const noEncoder = await copyWithout("no-encoder", (n) => !n.startsWith("encoder."));
  await assert.rejects(
    EncoderDecoderModel.fromPretrained(noEncoder),
    isError("MISSING_WEIGHTS", /no "encoder\.\*" weights/),
  );
  const partial = await copyWithout("partial", (n) => n !== "decoder.bert.encoder.layer.1.output.dense.weight");
  await assert.rejects(
    EncoderDecoderModel.fromPretrained(partial),
    isError("MISSING_WEIGHTS", /decoder\.bert\.encoder\.layer\.1\.output\.dense\.weight/),
  );
});

test("a config.json without the decoder sub-config, or not an encoder-decoder config", { skip }, async () => {
  const dir = await copyWithout("no-decoder-config", () => true);
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  delete config.decoder;
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  await assert.rejects(
    EncoderDecoderModel.fromPretrained(dir),
    isError("MISSING_SUB_CONFIG", /no "decoder" sub-config/),
  );
  await assert.rejects(
    EncoderDecoderModel.fromPretrained(parityDir("bert")),
    isError("INVALID_CONFIG", /"model_type" is "bert"/),
  );
});

test(
  "warm-start mistakes: tying BERT to GPT-2, a null part without config, a BERT decoder without [CLS]/[SEP]",
  { skip },
  async () => {
    await initBackend();
    await assert.rejects(
      EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("bert"), parityDir("gpt2"), {
        tieEncoderDecoder: true,
      }),
      isError("TIE_MISMATCH", /encoder is "bert" and the decoder "gpt2"/),
    );
    await assert.rejects(
      EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("bert"), null),
      isError("INVALID_CONFIG", /decoderConfig/),
    );
    await assert.rejects(
      EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("gpt2"), parityDir("gpt2")),
      isError("UNSUPPORTED_MODEL_TYPE", /decoder-only/),
    );
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("bert"), parityDir("bert"));
    try {
      assert.throws(
        () => model.forward({ inputIds: [[101, 7, 102]], labels: [[5, 102]] }),
        isError("MISSING_SPECIAL_TOKEN", /decoder_start_token_id.*config\.decoderStartTokenId/),
      );
      model.config.decoderStartTokenId = 101;
      const { logits, loss } = model.forward({ inputIds: [[101, 7, 102]], labels: [[5, 102]] });
      assert.ok(Number.isFinite(loss?.dataSync()[0]));
      tf.dispose([logits, loss as tf.Scalar]);
    } finally {
      model.dispose();
    }
  },
);

test(
  "decodeStep refuses rows that do not match the inputs times the expansion of the encoder state",
  { skip },
  async () => {
    await initBackend();
    const g = goldens("bert2bert");
    const model = await EncoderDecoderModel.fromPretrained(parityDir("bert2bert"));
    const encoded = model.encode(g.inputs.input_ids, g.inputs.attention_mask);
    const expanded = model.expandEncoderState(encoded, 3);
    try {
      const inputs = g.inputs.input_ids.length;
      assert.equal(expanded.rowsPerInput, 3);
      const rows = (n: number) => Array.from({ length: n }, () => [model.config.decoderStartTokenId as number]);
      const step = await model.decodeStep({
        decoderInputIds: rows(3 * inputs),
        encoderState: expanded,
        cache: null,
        useCache: false,
      });
      assert.equal(step.logits.length, 3 * inputs * step.vocabSize);
      // 6 rows would divide evenly into the encoder's rows, so only the recorded expansion can tell it is wrong.
      await assert.rejects(
        Promise.resolve().then(() =>
          model.decodeStep({ decoderInputIds: rows(6 * inputs), encoderState: expanded, cache: null, useCache: false }),
        ),
        isError("INVALID_INPUT", new RegExp(`${6 * inputs} decoder rows for ${inputs} inputs expanded 3 times`)),
      );
      assert.throws(
        () => model.expandEncoderState(encoded, 0),
        isError("INVALID_INPUT", /timesEach must be a positive integer/),
      );
    } finally {
      model.disposeEncoderState(expanded);
      model.disposeEncoderState(encoded);
      model.dispose();
    }
  },
);
