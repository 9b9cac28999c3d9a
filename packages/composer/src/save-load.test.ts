// Acceptance 4: savePretrained → fromPretrained is lossless (bit-identical logits), writes transformers'
// layout (config.json, generation_config.json, model.safetensors), keeps tied weights tied, and never leaves a
// half-written folder. The fixtures were written in old transformers 4's layout (a tensor shared by encoder and
// decoder under its encoder name only, `torch_dtype`); real transformers 5 reads each name and writes `dtype`,
// so savePretrained writes shared tensors under both names and `dtype: "float32"`.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initBackend, openCheckpoint, tf } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { ComposerError } from "./errors.js";
import { readConfigFile } from "./part-source.js";
import { goldens, PARITY, parityDir } from "./test-support/fixtures.js";

const skip = sharedSkipReason(PARITY);
const scratch = mkdtempSync(join(tmpdir(), "composer-save-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function logitsOf(model: EncoderDecoderModel, name: "bert2bert" | "robertashare"): Float32Array {
  const g = goldens(name);
  const { logits } = model.forward({
    inputIds: g.inputs.input_ids,
    attentionMask: g.inputs.attention_mask,
    decoderInputIds: g.logits.decoder_input_ids,
  });
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

async function tensorNames(dir: string): Promise<string[]> {
  const checkpoint = await openCheckpoint(dir);
  const names = checkpoint.names().sort();
  checkpoint.close();
  return names;
}

/** The fixture's config.json as savePretrained writes it now: `dtype` "float32" instead of `torch_dtype`. */
function withDtype(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json, dtype: "float32" };
  delete out.torch_dtype;
  for (const part of ["encoder", "decoder"]) {
    const sub: Record<string, unknown> = { ...(json[part] as Record<string, unknown>), dtype: "float32" };
    delete sub.torch_dtype;
    out[part] = sub;
  }
  return out;
}

for (const name of ["bert2bert", "robertashare"] as const) {
  test(`${name}: save → load reproduces the fixture's files and bit-identical logits`, { skip }, async () => {
    await initBackend();
    const source = parityDir(name);
    const model = await EncoderDecoderModel.fromPretrained(source);
    const out = join(scratch, name);
    try {
      await model.savePretrained(out);
      assert.deepEqual(readdirSync(out).sort(), ["config.json", "generation_config.json", "model.safetensors"]);
      assert.deepEqual(readConfigFile(out), withDtype(readConfigFile(source)), "config.json as transformers writes it");
      assert.deepEqual(
        JSON.parse(readFileSync(join(out, "generation_config.json"), "utf8")),
        JSON.parse(readFileSync(join(source, "generation_config.json"), "utf8")),
      );
      // The fixture's tensor names (tied LM-head copies left out) plus, for robertashare, the decoder names of
      // the tensors it shares with the encoder, which the fixture stored under the encoder's names only.
      const sharedNames = goldens(name).shared_weights_not_stored.map((w) => w.name);
      assert.deepEqual(await tensorNames(out), [...(await tensorNames(source)), ...sharedNames].sort());
      const reloaded = await EncoderDecoderModel.fromPretrained(out);
      try {
        assert.deepEqual(logitsOf(reloaded, name), logitsOf(model, name), "bit-identical logits");
        assert.equal(reloaded.numParameters(), goldens(name).param_counts.total);
        for (const { name: shared, same_tensor_as: owner } of goldens(name).shared_weights_not_stored) {
          assert.equal(
            reloaded.decoder.parameters.get(shared.slice("decoder.".length)),
            reloaded.encoder.parameters.get(owner.slice("encoder.".length)),
            `${shared} is reloaded as the encoder's variable`,
          );
        }
      } finally {
        reloaded.dispose();
      }
    } finally {
      model.dispose();
    }
  });
}

test(
  "a warm-started model with enc_to_dec_proj round-trips, and saving over an existing folder replaces its files",
  { skip },
  async () => {
    await initBackend();
    const decoderConfig = {
      ...readConfigFile(parityDir("bert")),
      hidden_size: 16,
      num_attention_heads: 2,
      intermediate_size: 20,
    };
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(parityDir("roberta"), null, {
      decoderConfig,
      seed: 3,
      decoderStartTokenId: 101,
      eosTokenId: 102,
    });
    const out = join(scratch, "projected");
    try {
      await model.savePretrained(out);
      await model.savePretrained(out);
      const reloaded = await EncoderDecoderModel.fromPretrained(out);
      try {
        assert.ok(reloaded.projection !== null);
        const batch = {
          inputIds: [
            [0, 10, 20, 2],
            [0, 30, 2, 1],
          ],
          attentionMask: [
            [1, 1, 1, 1],
            [1, 1, 1, 0],
          ],
          decoderInputIds: [
            [101, 5, 6],
            [101, 7, 0],
          ],
        };
        const a = model.forward(batch).logits;
        const b = reloaded.forward(batch).logits;
        assert.deepEqual(b.dataSync(), a.dataSync());
        tf.dispose([a, b]);
        assert.deepEqual(reloaded.config.specialTokens(), { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 });
      } finally {
        reloaded.dispose();
      }
    } finally {
      model.dispose();
    }
  },
);

test("saving onto a file is refused before anything is written", { skip }, async () => {
  await initBackend();
  const model = await EncoderDecoderModel.fromPretrained(parityDir("bert2bert"));
  try {
    const file = join(scratch, "a-file");
    writeFileSync(file, "not a folder");
    await assert.rejects(
      model.savePretrained(file),
      (e: unknown) => e instanceof ComposerError && e.code === "SAVE_FAILED",
    );
    assert.equal(readFileSync(file, "utf8"), "not a folder");
    assert.deepEqual(
      readdirSync(scratch).filter((n) => n.includes(".tmp-")),
      [],
      "no temporary folder is left",
    );
  } finally {
    model.dispose();
  }
});
