import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend, openSafetensors } from "@warmstart/tensors";
import { concat, op, pytorchBin, torchZip, type DenseTensor } from "@warmstart/test-utils";
import { runCli } from "../test-support/run-cli.js";

// `warmstart convert`: a folder saved with pytorch_model.bin (as transformers did before 4.35) becomes a
// safetensors folder with the same tensors, the model's other files copied and the trainer's pickles left out.
const dir = mkdtempSync(join(tmpdir(), "warmstart-convert-"));
const original = join(dir, "original");
const old = join(dir, "old");
const TINY = {
  model_type: "bert",
  vocab_size: 30,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 32,
};
let tensors: DenseTensor[] = [];

async function readAll(path: string): Promise<DenseTensor[]> {
  const file = await openSafetensors(path);
  try {
    return file.names().map((name) => {
      const t = file.tensor(name);
      const values = Float32Array.from(t.dataSync());
      const shape = [...t.shape];
      t.dispose();
      return { name, shape, values };
    });
  } finally {
    file.close();
  }
}

before(async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(TINY, TINY, {
    decoderStartTokenId: 2,
    eosTokenId: 3,
    padTokenId: 0,
    seed: 5,
  });
  await model.savePretrained(original);
  model.dispose();
  tensors = await readAll(join(original, "model.safetensors"));
  mkdirSync(old);
  for (const file of readdirSync(original)) {
    if (file !== "model.safetensors") copyFileSync(join(original, file), join(old, file));
  }
  writeFileSync(join(old, "pytorch_model.bin"), pytorchBin(tensors));
  writeFileSync(join(old, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  // A Trainer output folder also holds pickles that are not weights: never copied (nor read).
  writeFileSync(join(old, "training_args.bin"), "not read");
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("convert writes model.safetensors with the same tensors, copies config and tokenizer files, skips other pickles", async () => {
  const out = join(dir, "converted");
  const run = await runCli(["convert", old, "--out", out, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { ok: boolean; tensors: number; copied: string[]; skipped: string[] };
  assert.equal(report.ok, true);
  assert.equal(report.tensors, tensors.length);
  assert.ok(report.copied.includes("config.json") && report.copied.includes("vocab.txt"), String(report.copied));
  assert.deepEqual(report.skipped, ["training_args.bin"]);
  assert.deepEqual(readdirSync(out).sort(), [...report.copied, "model.safetensors"].sort());
  const converted = await readAll(join(out, "model.safetensors"));
  const byName = (list: DenseTensor[]) => new Map(list.map((t) => [t.name, [t.shape, Array.from(t.values)]]));
  assert.deepEqual(byName(converted), byName(tensors));
  // The converted folder is a model the CLI loads.
  const inspect = await runCli(["inspect", out, "--json"]);
  assert.equal(inspect.code, 0, inspect.stderr);
});

test("convert refuses a non-empty --out (exit 2), a folder without .bin weights (exit 4) and a hostile pickle (exit 3)", async () => {
  const occupied = join(dir, "occupied");
  mkdirSync(occupied);
  writeFileSync(join(occupied, "keep.txt"), "mine");
  const refused = await runCli(["convert", old, "--out", occupied]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /not an empty folder/);
  assert.deepEqual(readdirSync(occupied), ["keep.txt"]);

  const nothing = await runCli(["convert", original, "--out", join(dir, "nothing")]);
  assert.equal(nothing.code, 4, nothing.stderr);
  assert.match(nothing.stderr, /already holds safetensors weights/);

  const hostile = join(dir, "hostile");
  mkdirSync(hostile);
  copyFileSync(join(old, "config.json"), join(hostile, "config.json"));
  const marker = join(dir, "pwned");
  const call = concat(
    op.proto(),
    op.global("posix", "system"),
    op.mark(),
    op.str(`touch ${marker}`),
    op.tuple(),
    op.reduce(),
    op.stop(),
  );
  writeFileSync(join(hostile, "pytorch_model.bin"), torchZip(call));
  const run = await runCli(["convert", hostile, "--out", join(dir, "hostile-out")]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /posix\.system/);
  assert.equal(existsSync(marker), false, "nothing was executed");
  assert.equal(existsSync(join(dir, "hostile-out")), false, "nothing was written");

  const noOut = await runCli(["convert", old]);
  assert.equal(noOut.code, 2, noOut.stderr);
  assert.match(noOut.stderr, /--out/);
});
