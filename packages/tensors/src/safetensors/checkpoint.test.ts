import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { openCheckpoint } from "./checkpoint.js";
import { SafetensorsError } from "./errors.js";
import { writeSafetensors } from "./write.js";

await tf.setBackend("cpu");
const root = mkdtempSync(join(tmpdir(), "warmstart-ckpt-"));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function index(dir: string, weightMap: Record<string, unknown>): void {
  writeFileSync(
    join(dir, "model.safetensors.index.json"),
    JSON.stringify({ metadata: { total_size: 20 }, weight_map: weightMap }),
  );
}

test("opens a single-file checkpoint folder", { skip: sharedSkipReason("fixtures", "parity", "bert") }, async () => {
  const ckpt = await openCheckpoint(sharedPath("fixtures", "parity", "bert") as string);
  assert.equal(ckpt.names().length, 47);
  assert.deepEqual(ckpt.tensor("bert.embeddings.word_embeddings.weight").shape, [1000, 32]);
  ckpt.close();
});

test("opens a sharded checkpoint through model.safetensors.index.json", async () => {
  const dir = folder("sharded");
  await writeSafetensors(join(dir, "model-00001-of-00002.safetensors"), {
    a: tf.tensor1d([1, 2]),
    b: tf.tensor1d([3]),
  });
  await writeSafetensors(join(dir, "model-00002-of-00002.safetensors"), { c: tf.tensor2d([[4, 5]]) });
  index(dir, {
    a: "model-00001-of-00002.safetensors",
    c: "model-00002-of-00002.safetensors",
    b: "model-00001-of-00002.safetensors",
  });
  const ckpt = await openCheckpoint(dir);
  assert.deepEqual(ckpt.names(), ["a", "c", "b"]);
  assert.deepEqual(ckpt.metadata, { total_size: "20" });
  assert.deepEqual(ckpt.info("c"), { dtype: "F32", shape: [1, 2], byteLength: 8 });
  assert.deepEqual(Array.from(ckpt.tensor("c").dataSync()), [4, 5]);
  assert.deepEqual(Array.from(ckpt.tensor("b").dataSync()), [3]);
  assert.throws(() => ckpt.tensor("d"), { code: "UNKNOWN_TENSOR" });
  ckpt.close();
});

test("rejects shard paths that leave the folder, missing shards and tensors missing from their shard", async () => {
  const dir = folder("bad-index");
  await writeSafetensors(join(dir, "s.safetensors"), { a: tf.tensor1d([1]) });
  await writeSafetensors(join(root, "outside.safetensors"), { a: tf.tensor1d([1]) });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ a: "../outside.safetensors" }, /leaves the checkpoint folder/],
    [{ a: join(root, "outside.safetensors") }, /leaves the checkpoint folder/],
    [{ a: "missing.safetensors" }, /does not exist/],
    [{ a: "s.safetensors", z: "s.safetensors" }, /lacks it/],
    [{ a: 3 }, /must be a file name/],
  ];
  for (const [weightMap, message] of cases) {
    index(dir, weightMap);
    await assert.rejects(openCheckpoint(dir), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError && e.code === "INVALID_INDEX", String(e));
      assert.match(e.message, message);
      return true;
    });
  }
  writeFileSync(join(dir, "model.safetensors.index.json"), "{not json");
  await assert.rejects(openCheckpoint(dir), { code: "INVALID_INDEX" });
});

test("a folder with only a pytorch_model.bin is read with the restricted unpickler; a non-zip one is refused with a typed error", async () => {
  const dir = folder("torch");
  writeFileSync(join(dir, "pytorch_model.bin"), "pickle");
  await assert.rejects(openCheckpoint(dir), (e: unknown) => {
    assert.ok(e instanceof SafetensorsError && e.code === "INVALID_ZIP", String(e));
    assert.match(e.message, /pytorch_model\.bin/);
    return true;
  });
  await assert.rejects(openCheckpoint(folder("empty")), { code: "MISSING_WEIGHTS" });
});
