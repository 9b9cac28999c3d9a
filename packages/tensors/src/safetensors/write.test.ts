import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { SafetensorsError } from "./errors.js";
import { openSafetensors } from "./read.js";
import { floatToHalfBits, writeSafetensors } from "./write.js";

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

test("floatToHalfBits rounds to nearest even, saturates to Infinity and keeps subnormals, as PyTorch's .half()", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff], // the largest half
    [65519, 0x7bff], // below the midpoint to the next (unrepresentable) step: rounds down
    [65520, 0x7c00], // the midpoint: ties to even, which is Infinity
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -25, 0x0000], // half of it: a tie, to even (zero)
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // 1.5 units: a tie, to even (2)
    [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: to even
    [1 + 3 * 2 ** -11, 0x3c02], // a tie between 1 + 2^-10 and 1 + 2^-9: to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [0.1, 0x2e66],
  ];
  for (const [value, bits] of cases) {
    assert.equal(floatToHalfBits(value), bits, `${value} -> 0x${bits.toString(16)}`);
  }
  assert.equal(floatToHalfBits(Number.NaN) & 0x7c00, 0x7c00);
  assert.notEqual(floatToHalfBits(Number.NaN) & 0x3ff, 0, "NaN stays NaN");
});

test("floatDtype F16 stores float32 tensors in half precision; every half value reads back unchanged", async () => {
  const path = join(dir, "half.safetensors");
  // Every finite half-precision value, widened to float32: narrowing must give the same bits back.
  const halves: number[] = [];
  for (let bits = 0; bits < 0x10000; bits++) if ((bits & 0x7c00) !== 0x7c00) halves.push(bits);
  const widened = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    widened[i] = exponent === 0 ? sign * fraction * 2 ** -24 : sign * (1024 + fraction) * 2 ** (exponent - 25);
  }
  const ids = tf.tensor1d([1, 2, 3], "int32");
  await writeSafetensors(path, { w: tf.tensor1d(widened), ids }, { format: "pt" }, { floatDtype: "F16" });
  const file = await openSafetensors(path);
  try {
    assert.deepEqual(file.info("w"), { dtype: "F16", shape: [widened.length], byteLength: widened.length * 2 });
    assert.equal(file.info("ids").dtype, "I32", "integer tensors keep their dtype");
    const back = await file.tensor("w").data();
    for (let i = 0; i < widened.length; i++) {
      if (!Object.is(back[i], widened[i])) {
        assert.fail(`half 0x${(halves[i] as number).toString(16)} read back as ${back[i]}`);
      }
    }
  } finally {
    file.close();
  }
});
