import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { f32, safetensorsBytes, type RawTensor } from "../test-support/safetensors_bytes.js";
import { SafetensorsError, type SafetensorsErrorCode } from "./errors.js";
import { openSafetensors } from "./read.js";
import { writeSafetensors } from "./write.js";

await tf.setBackend("cpu");
const dir = mkdtempSync(join(tmpdir(), "warmstart-st-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const BERT = ["fixtures", "parity", "bert", "model.safetensors"] as const;

test(
  "every tensor of the parity BERT checkpoint loads with its header shape",
  { skip: sharedSkipReason(...BERT) },
  async () => {
    const file = await openSafetensors(sharedPath(...BERT) as string);
    try {
      assert.deepEqual(file.metadata, { format: "pt" });
      assert.equal(file.names().length, 47);
      // Shapes the fixtures README states: vocab 1000, hidden 32, 64 positions, FFN 37.
      assert.deepEqual(file.info("bert.embeddings.word_embeddings.weight").shape, [1000, 32]);
      assert.deepEqual(file.info("bert.embeddings.position_embeddings.weight").shape, [64, 32]);
      assert.deepEqual(file.info("bert.encoder.layer.0.intermediate.dense.weight").shape, [37, 32]);
      assert.deepEqual(file.info("bert.encoder.layer.0.output.dense.weight").shape, [32, 37]);
      for (const name of file.names()) {
        const info = file.info(name);
        const tensor = file.tensor(name);
        assert.deepEqual(tensor.shape, info.shape, name);
        assert.equal(tensor.dtype, "float32", name);
        assert.equal(info.byteLength, tensor.size * 4, name);
        tensor.dispose();
      }
      // Row 0 of the word embeddings is the padding row, zero by construction.
      const words = file.tensor("bert.embeddings.word_embeddings.weight");
      assert.ok(
        words
          .slice([0, 0], [1, 32])
          .dataSync()
          .every((v) => v === 0),
      );
      assert.ok(
        words
          .slice([1, 0], [1, 32])
          .dataSync()
          .some((v) => v !== 0),
      );
      words.dispose();
    } finally {
      file.close();
    }
  },
);

test(
  "reading then writing the parity BERT checkpoint gives a byte-identical file",
  { skip: sharedSkipReason(...BERT) },
  async () => {
    const source = sharedPath(...BERT) as string;
    const file = await openSafetensors(source);
    const tensors = new Map(file.names().map((n) => [n, file.tensor(n)] as const));
    file.close();
    const out = join(dir, "roundtrip.safetensors");
    await writeSafetensors(out, tensors, file.metadata);
    for (const t of tensors.values()) t.dispose();
    assert.ok(Buffer.from(readFileSync(source)).equals(readFileSync(out)));
  },
);

test("converts every readable dtype to float32 or int32 values", async () => {
  const bytes = (values: number[], make: (n: number) => ArrayBufferView): Uint8Array => {
    const view = make(values.length) as unknown as { [i: number]: number | bigint; buffer: ArrayBuffer };
    values.forEach((v, i) => (view[i] = view instanceof BigInt64Array ? BigInt(v) : v));
    return new Uint8Array(view.buffer);
  };
  const tensors: Record<string, RawTensor> = {
    f32: { dtype: "F32", shape: [2], data: f32([1.5, -2]) },
    // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal half)
    f16: { dtype: "F16", shape: [4], data: bytes([0x3c00, 0xc000, 0x7bff, 0x0001], (n) => new Uint16Array(n)) },
    // bfloat16 of 1.0 and -3.0
    bf16: { dtype: "BF16", shape: [2], data: bytes([0x3f80, 0xc040], (n) => new Uint16Array(n)) },
    f64: { dtype: "F64", shape: [1], data: new Uint8Array(new Float64Array([0.25]).buffer) },
    i64: { dtype: "I64", shape: [3], data: bytes([-5, 0, 2147483647], (n) => new BigInt64Array(n)) },
    i32: { dtype: "I32", shape: [2, 1], data: bytes([-7, 9], (n) => new Int32Array(n)) },
    u8: { dtype: "U8", shape: [2], data: new Uint8Array([0, 255]) },
    bool: { dtype: "BOOL", shape: [3], data: new Uint8Array([1, 0, 1]) },
    empty: { dtype: "F32", shape: [0, 4], data: new Uint8Array(0) },
    scalar: { dtype: "I32", shape: [], data: bytes([42], (n) => new Int32Array(n)) },
  };
  const file = await openSafetensors(fileOf("dtypes.safetensors", safetensorsBytes(tensors)));
  const read = (name: string): { dtype: string; shape: number[]; values: number[] } => {
    const t = file.tensor(name);
    return { dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) };
  };
  assert.deepEqual(read("f32"), { dtype: "float32", shape: [2], values: [1.5, -2] });
  assert.deepEqual(read("f16"), { dtype: "float32", shape: [4], values: [1, -2, 65504, 2 ** -24] });
  assert.deepEqual(read("bf16"), { dtype: "float32", shape: [2], values: [1, -3] });
  assert.deepEqual(read("f64"), { dtype: "float32", shape: [1], values: [0.25] });
  assert.deepEqual(read("i64"), { dtype: "int32", shape: [3], values: [-5, 0, 2147483647] });
  assert.deepEqual(read("i32"), { dtype: "int32", shape: [2, 1], values: [-7, 9] });
  assert.deepEqual(read("u8"), { dtype: "int32", shape: [2], values: [0, 255] });
  assert.deepEqual(read("bool"), { dtype: "int32", shape: [3], values: [1, 0, 1] });
  assert.deepEqual(read("empty"), { dtype: "float32", shape: [0, 4], values: [] });
  assert.deepEqual(read("scalar"), { dtype: "int32", shape: [], values: [42] });
  assert.deepEqual(file.info("i64"), { dtype: "I64", shape: [3], byteLength: 24 });
  file.close();
  assert.throws(() => file.tensor("f32"), { code: "CLOSED" });
});

test("an I64 value outside int32 is a VALUE_OUT_OF_RANGE error naming file and tensor", async () => {
  const data = new Uint8Array(new BigInt64Array([1n, 2n ** 31n]).buffer);
  const path = fileOf("i64.safetensors", safetensorsBytes({ ids: { dtype: "I64", shape: [2], data } }));
  const file = await openSafetensors(path);
  assert.throws(
    () => file.tensor("ids"),
    (e: unknown) =>
      e instanceof SafetensorsError &&
      e.code === "VALUE_OUT_OF_RANGE" &&
      e.tensor === "ids" &&
      e.message.includes(path) &&
      e.message.includes("2147483648"),
  );
  assert.throws(() => file.info("nope"), { code: "UNKNOWN_TENSOR" });
  file.close();
});

const good = { a: { dtype: "F32", shape: [2], data: f32([1, 2]) }, b: { dtype: "F32", shape: [1], data: f32([3]) } };
const rejections: [string, Uint8Array, SafetensorsErrorCode, string | undefined][] = [
  ["too short", new Uint8Array(5), "FILE_TOO_SHORT", undefined],
  ["header length past the end", safetensorsBytes(good, { headerLength: 10_000n }), "HEADER_TOO_LARGE", undefined],
  ["header length of 2^64-1", safetensorsBytes(good, { headerLength: 2n ** 64n - 1n }), "HEADER_TOO_LARGE", undefined],
  ["invalid JSON", safetensorsBytes({}, { header: '{"a": ' }), "INVALID_HEADER_JSON", undefined],
  [
    "invalid UTF-8",
    safetensorsBytes({}, { header: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) }),
    "INVALID_HEADER_JSON",
    undefined,
  ],
  ["array header", safetensorsBytes({}, { header: "[]" }), "INVALID_HEADER", undefined],
  ["unknown dtype", safetensorsBytes({ a: { dtype: "F128", shape: [1], data: f32([1]) } }), "UNKNOWN_DTYPE", "a"],
  ["negative dim", safetensorsBytes({ a: { dtype: "F32", shape: [-1], data: f32([1]) } }), "INVALID_HEADER", "a"],
  ["end past data", safetensorsBytes({ a: { ...good.a, offsets: [0, 12] } }), "OFFSETS_OUT_OF_RANGE", "a"],
  ["begin after end", safetensorsBytes({ a: { ...good.a, offsets: [8, 0] } }), "OFFSETS_OUT_OF_RANGE", "a"],
  [
    "overlap",
    safetensorsBytes({ a: { ...good.a, offsets: [0, 8] }, b: { ...good.b, offsets: [4, 8] } }),
    "OVERLAPPING_OFFSETS",
    "b",
  ],
  [
    "hole",
    safetensorsBytes({
      a: good.a,
      b: { ...good.b, offsets: [12, 16] },
      c: { dtype: "U8", shape: [0], data: new Uint8Array(4), offsets: [16, 16] },
    }),
    "DATA_GAP",
    "b",
  ],
  [
    "trailing bytes",
    safetensorsBytes({ a: good.a, b: { ...good.b, data: new Uint8Array(8), offsets: [8, 12] } }),
    "DATA_GAP",
    undefined,
  ],
  ["size mismatch", safetensorsBytes({ a: { dtype: "F32", shape: [3], data: f32([1, 2]) } }), "SIZE_MISMATCH", "a"],
  [
    "huge shape",
    safetensorsBytes({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40, 2 ** 40], data: f32([1]) } }),
    "SIZE_MISMATCH",
    "a",
  ],
  [
    "bad metadata",
    safetensorsBytes(good, { metadata: { format: 1 as unknown as string } }),
    "INVALID_HEADER",
    undefined,
  ],
];
for (const [what, bytes, code, tensor] of rejections) {
  test(`rejects a file with ${what} as ${code}`, async () => {
    const path = fileOf(`${what.replaceAll(/\W/g, "_")}.safetensors`, bytes);
    await assert.rejects(openSafetensors(path), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      assert.equal(e.file, path);
      assert.ok(e.message.startsWith(path), e.message);
      if (tensor !== undefined) assert.ok(e.tensor === tensor || e.message.includes(`"${tensor}"`), e.message);
      return true;
    });
  });
}
