import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  concat,
  FLOAT_2X3,
  FLOAT_2X3_STORAGE,
  op,
  repoRoot,
  stateDictPickle,
  tensorPickle,
  torchZip,
  zipOf,
} from "@warmstart/test-utils";
import { openCheckpoint } from "../safetensors/checkpoint.js";
import { SafetensorsError } from "../safetensors/errors.js";
import { writeSafetensors } from "../safetensors/write.js";
import { openPytorchBin } from "./bin.js";

await tf.setBackend("cpu");
const FIXTURES = join(repoRoot(), "packages", "tensors", "fixtures", "pytorch-bin");
const root = mkdtempSync(join(tmpdir(), "warmstart-bin-"));
after(() => rmSync(root, { recursive: true, force: true }));

function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

let counter = 0;
function write(bytes: Uint8Array, name = `f${counter++}.bin`): string {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
}

test("a state dict torch 2.11 saved (views, offsets, shared storage, fp16, bf16, int64, a parameter, 0-d and empty) reads as torch does", async () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "views.json"), "utf8")) as Record<
    string,
    { shape: number[]; dtype: string; values: number[] }
  >;
  const file = await openPytorchBin(join(FIXTURES, "views.bin"));
  try {
    assert.deepEqual(file.names(), Object.keys(expected));
    const dtypes: Record<string, string> = {
      "torch.float32": "F32",
      "torch.float16": "F16",
      "torch.bfloat16": "BF16",
      "torch.int64": "I64",
    };
    for (const [name, want] of Object.entries(expected)) {
      assert.equal(file.info(name).dtype, dtypes[want.dtype], name);
      const t = file.tensor(name);
      assert.deepEqual(t.shape, want.shape, name);
      assert.deepEqual(Array.from(t.dataSync()), want.values, name);
      assert.equal(t.dtype, want.dtype === "torch.int64" ? "int32" : "float32");
      t.dispose();
    }
  } finally {
    file.close();
  }
});

const W = FLOAT_2X3;

test("tensors sharing one storage with strides and offsets, built here, read back", async () => {
  const pickle = stateDictPickle([
    W,
    { ...W, name: "wt", shape: [3, 2], stride: [1, 3] },
    { ...W, name: "tail", offset: 4, shape: [2], stride: [1] },
    { ...W, name: "col", offset: 1, shape: [2], stride: [3] },
  ]);
  const file = await openPytorchBin(write(torchZip(pickle, { "0": f32([1, 2, 3, 4, 5, 6]) })));
  const values = (name: string) => Array.from(file.tensor(name).dataSync());
  assert.deepEqual(values("w"), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(values("wt"), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(values("tail"), [5, 6]);
  assert.deepEqual(values("col"), [2, 5]);
  file.close();
  assert.throws(() => file.tensor("w"), { code: "CLOSED" });
});

test("openCheckpoint reads pytorch_model.bin and its shards; model.safetensors wins when both are there", async () => {
  const both = join(root, "both");
  mkdirSync(both);
  writeFileSync(join(both, "pytorch_model.bin"), torchZip(stateDictPickle([W]), { "0": f32([1, 2, 3, 4, 5, 6]) }));
  let ckpt = await openCheckpoint(both);
  assert.deepEqual(Array.from(ckpt.tensor("w").dataSync()), [1, 2, 3, 4, 5, 6]);
  ckpt.close();
  await writeSafetensors(join(both, "model.safetensors"), { w: tf.fill([2, 3], 7) });
  ckpt = await openCheckpoint(both);
  assert.ok(ckpt.path.endsWith("model.safetensors"));
  assert.deepEqual(Array.from(ckpt.tensor("w").dataSync()), [7, 7, 7, 7, 7, 7]);
  ckpt.close();

  const sharded = join(root, "sharded");
  mkdirSync(sharded);
  writeFileSync(
    join(sharded, "pytorch_model-00001-of-00002.bin"),
    torchZip(stateDictPickle([W]), { "0": f32([1, 2, 3, 4, 5, 6]) }),
  );
  writeFileSync(
    join(sharded, "pytorch_model-00002-of-00002.bin"),
    torchZip(stateDictPickle([{ ...W, name: "v", shape: [6], stride: [1] }]), { "0": f32([6, 5, 4, 3, 2, 1]) }),
  );
  writeFileSync(
    join(sharded, "pytorch_model.bin.index.json"),
    JSON.stringify({
      metadata: { total_size: 48 },
      weight_map: { w: "pytorch_model-00001-of-00002.bin", v: "pytorch_model-00002-of-00002.bin" },
    }),
  );
  ckpt = await openCheckpoint(sharded);
  assert.deepEqual(ckpt.names().sort(), ["v", "w"]);
  assert.deepEqual(Array.from(ckpt.tensor("v").dataSync()), [6, 5, 4, 3, 2, 1]);
  ckpt.close();
  writeFileSync(join(sharded, "pytorch_model.bin.index.json"), JSON.stringify({ weight_map: { w: "../x.bin" } }));
  await assert.rejects(openCheckpoint(sharded), { code: "INVALID_INDEX" });
});

const storage6 = FLOAT_2X3_STORAGE;
const call = (module: string, name: string, ...args: Uint8Array[]) =>
  concat(op.global(module, name), op.mark(), ...args, op.tuple(), op.reduce());
/** n nested empty lists: EMPTY_LIST n times, then APPEND n - 1 times. */
const deepLists = (n: number) =>
  concat(op.proto(), new Uint8Array(n).fill(0x5d), new Uint8Array(n - 1).fill(0x61), op.stop());

/** Hostile files: [what, bytes, code, words the message must hold]. Built here, never by Python. */
export const HOSTILE: Array<[string, Uint8Array, string, string]> = [
  [
    "a posix.system global",
    torchZip(concat(op.proto(), call("posix", "system", op.str("touch /tmp/pwned")), op.stop())),
    "UNSAFE_PICKLE",
    "posix.system",
  ],
  [
    "a builtins.eval global",
    torchZip(concat(op.proto(), call("builtins", "eval", op.str("1+1")), op.stop())),
    "UNSAFE_PICKLE",
    "builtins.eval",
  ],
  [
    "STACK_GLOBAL os.system",
    torchZip(concat(op.proto(), op.str("os"), op.str("system"), bytes(0x93), op.stop())),
    "UNSAFE_PICKLE",
    "os.system",
  ],
  [
    "REDUCE on a storage class",
    torchZip(concat(op.proto(), call("torch", "FloatStorage", op.int(10)), op.stop())),
    "UNSAFE_PICKLE",
    "REDUCE on torch.FloatStorage",
  ],
  [
    "REDUCE on a string",
    torchZip(concat(op.proto(), op.str("os.system"), op.emptyTuple(), op.reduce(), op.stop())),
    "UNSAFE_PICKLE",
    "REDUCE",
  ],
  [
    "OrderedDict called with arguments",
    torchZip(concat(op.proto(), call("collections", "OrderedDict", op.emptyList()), op.stop())),
    "UNSAFE_PICKLE",
    "OrderedDict",
  ],
  [
    "BUILD on a tensor",
    torchZip(concat(op.proto(), tensorPickle(W), op.emptyDict(), op.build(), op.stop()), storage6),
    "UNSAFE_PICKLE",
    "BUILD",
  ],
  [
    "BUILD on a list",
    torchZip(concat(op.proto(), op.emptyList(), op.emptyDict(), op.build(), op.stop())),
    "UNSAFE_PICKLE",
    "BUILD",
  ],
  [
    "a NEWOBJ opcode",
    torchZip(concat(op.proto(), op.global("collections", "OrderedDict"), op.emptyTuple(), bytes(0x81), op.stop())),
    "UNSAFE_PICKLE",
    "NEWOBJ",
  ],
  [
    "an INST opcode",
    torchZip(concat(op.proto(), op.mark(), new TextEncoder().encode("ios\nsystem\n"), op.stop())),
    "UNSAFE_PICKLE",
    "INST",
  ],
  [
    "a persistent id that is not a storage",
    torchZip(concat(op.proto(), op.str("x"), op.binpersid(), op.stop())),
    "UNSAFE_PICKLE",
    "persistent id",
  ],
  [
    "a storage past the end of its data",
    torchZip(stateDictPickle([{ ...W, numel: 1000 }]), storage6),
    "OFFSETS_OUT_OF_RANGE",
    "data/0",
  ],
  [
    "a view past the end of its storage",
    torchZip(stateDictPickle([{ ...W, offset: 4 }]), storage6),
    "OFFSETS_OUT_OF_RANGE",
    "past the 6 elements",
  ],
  [
    "strides past the end of its storage",
    torchZip(stateDictPickle([{ ...W, stride: [1000, 1] }]), storage6),
    "OFFSETS_OUT_OF_RANGE",
    "strides",
  ],
  ["a missing storage", torchZip(stateDictPickle([W])), "OFFSETS_OUT_OF_RANGE", "data/0"],
  [
    "a zip bomb (4 GiB declared in a tiny file)",
    zipOf([{ name: "archive/data.pkl", data: new Uint8Array(64), declaredSize: 0xfffffff0 }]),
    "INVALID_ZIP",
    "beyond",
  ],
  [
    "a compressed (deflate) entry",
    zipOf([{ name: "archive/data.pkl", data: new Uint8Array(64), method: 8 }]),
    "INVALID_ZIP",
    "compressed",
  ],
  ["lists nested 100 deep", torchZip(deepLists(100)), "PICKLE_LIMIT", "nested deeper"],
  // B = [A], then A (from the memo) is filled 63 deep: only the final walk sees B's depth of 65.
  [
    "nesting deepened through the memo",
    torchZip(
      concat(
        op.proto(),
        op.emptyList(),
        op.binput(0),
        op.emptyList(),
        op.binget(0),
        op.append(),
        op.binget(0),
        deepLists(63).subarray(2, -1),
        op.append(),
        op.pop(),
        op.stop(),
      ),
    ),
    "PICKLE_LIMIT",
    "nested deeper",
  ],
  ["200,000 lists on the stack", torchZip(deepLists(200_000)), "PICKLE_LIMIT", "on the stack"],
  [
    "MARKs nested 10,000 deep",
    torchZip(concat(op.proto(), new Uint8Array(10_000).fill(0x28), op.stop())),
    "PICKLE_LIMIT",
    "MARK",
  ],
  [
    "a list that contains itself",
    torchZip(concat(op.proto(), op.emptyList(), op.binput(0), op.binget(0), op.append(), op.stop())),
    "PICKLE_LIMIT",
    "nested deeper",
  ],
  [
    "2,000,001 opcodes",
    torchZip(
      concat(
        op.proto(),
        new Uint8Array(4_000_002).fill(0x4e).map((b, i) => (i % 2 ? 0x30 : b)),
        op.stop(),
      ),
    ),
    "PICKLE_LIMIT",
    "opcodes",
  ],
  ["a truncated pickle", torchZip(stateDictPickle([W]).subarray(0, 40), storage6), "INVALID_PICKLE", "truncated"],
  [
    "a pickle that is not a dict",
    torchZip(concat(op.proto(), op.emptyList(), op.stop())),
    "INVALID_PICKLE",
    "not a state dict",
  ],
  ["not a zip", new TextEncoder().encode("definitely not a checkpoint"), "INVALID_ZIP", "not a zip"],
];

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

test("hostile pickles and zips are refused with a typed error naming the file and what was found, each in well under a second of CPU", async () => {
  let slowest = 0;
  for (const [what, contents, code, words] of HOSTILE) {
    const path = write(contents);
    // CPU time, not wall time: other test processes on a loaded machine do not count against the reader.
    const start = process.cpuUsage();
    await assert.rejects(openPytorchBin(path), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `${what}: ${String(e)}`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      assert.ok(e.message.includes(path), `${what}: ${e.message}`);
      assert.ok(e.message.includes(words), `${what}: "${e.message}" lacks "${words}"`);
      return true;
    });
    const used = process.cpuUsage(start);
    const ms = (used.user + used.system) / 1000;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < 1000, `${what}: refused after ${ms.toFixed(0)} ms`);
  }
  console.log(`${HOSTILE.length} hostile files refused, the slowest in ${slowest.toFixed(0)} ms`);
});
