import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { SafetensorsError } from "./errors.js";
import { openSafetensors } from "./read.js";
import { writeSafetensors } from "./write.js";

await tf.setBackend("cpu");
const dir = mkdtempSync(join(tmpdir(), "warmstart-stw-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function headerOf(path: string): { length: number; json: string } {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  return { length, json: bytes.subarray(8, 8 + length).toString("utf8") };
}

test("writes sorted keys after __metadata__, with a space-padded 8-byte-aligned header", async () => {
  const path = join(dir, "sorted.safetensors");
  await writeSafetensors(
    path,
    { "b.weight": tf.tensor2d([[1, 2, 3]]), "a.bias": tf.tensor1d([4]), "a.b": tf.tensor1d([5, 6]) },
    { format: "pt" },
  );
  const { length, json } = headerOf(path);
  assert.equal(length % 8, 0);
  assert.match(
    json,
    /^\{"__metadata__":\{"format":"pt"\},"a\.b":\{"dtype":"F32","shape":\[2\],"data_offsets":\[0,8\]\},"a\.bias":/,
  );
  assert.equal(json.trimEnd(), JSON.stringify(JSON.parse(json)));
  assert.ok(/ *$/.test(json));
  const names = Object.keys(JSON.parse(json));
  assert.deepEqual(names, ["__metadata__", "a.b", "a.bias", "b.weight"]);
});

test("round-trips float32, int32 and bool tensors (bool becomes int32 on reading)", async () => {
  const path = join(dir, "types.safetensors");
  const tensors = new Map<string, tf.Tensor>([
    ["flag", tf.tensor1d([true, false, true], "bool")],
    [
      "ids",
      tf.tensor2d(
        [
          [1, -2],
          [3, 2147483647],
        ],
        [2, 2],
        "int32",
      ),
    ],
    ["x", tf.tensor3d([[[0.5], [-1e-30]]])],
  ]);
  await writeSafetensors(path, tensors);
  const file = await openSafetensors(path);
  assert.deepEqual(file.metadata, {});
  // 4-byte types first so that every tensor stays aligned; then names in order.
  assert.deepEqual(file.names(), ["ids", "x", "flag"]);
  assert.deepEqual(file.info("flag"), { dtype: "BOOL", shape: [3], byteLength: 3 });
  assert.deepEqual(Array.from(file.tensor("flag").dataSync()), [1, 0, 1]);
  assert.deepEqual(Array.from(file.tensor("ids").dataSync()), [1, -2, 3, 2147483647]);
  assert.deepEqual(file.tensor("x").shape, [1, 2, 1]);
  assert.deepEqual(Array.from(file.tensor("x").dataSync()), [0.5, Math.fround(-1e-30)]);
  file.close();
});

test("replaces an existing file atomically and leaves no temporary file behind", async () => {
  const path = join(dir, "atomic.safetensors");
  writeFileSync(path, "old contents");
  await writeSafetensors(path, { w: tf.ones([2, 2]) });
  const file = await openSafetensors(path);
  assert.deepEqual(Array.from(file.tensor("w").dataSync()), [1, 1, 1, 1]);
  file.close();
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes("atomic")),
    ["atomic.safetensors"],
  );
});

test("refuses string tensors and leaves the target untouched", async () => {
  const path = join(dir, "strings.safetensors");
  writeFileSync(path, "keep");
  await assert.rejects(
    writeSafetensors(path, { s: tf.tensor1d(["a"], "string") }),
    (e: unknown) => e instanceof SafetensorsError && e.code === "UNSUPPORTED_DTYPE" && e.tensor === "s",
  );
  assert.equal(readFileSync(path, "utf8"), "keep");
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes("strings")),
    ["strings.safetensors"],
  );
});
