// The legacy (pre-torch-1.6, non-zip) torch.save format, which Hub checkpoints saved before mid-2020 still use
// (e.g. distilbert-base-uncased's pytorch_model.bin): read like the zip format, and refused as strictly.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { concat, op, repoRoot } from "@warmstart/test-utils";
import { SafetensorsError } from "../safetensors/errors.js";
import { openPytorchBin } from "./bin.js";
import { PytorchBinError } from "./errors.js";

await tf.setBackend("cpu");
const FIXTURES = join(repoRoot(), "packages", "tensors", "fixtures", "pytorch-bin");
const root = mkdtempSync(join(tmpdir(), "warmstart-legacy-bin-"));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function write(bytes: Uint8Array): string {
  const path = join(root, `legacy-${counter++}.bin`);
  writeFileSync(path, bytes);
  return path;
}

/** 0x1950a86a20f9469cfc6c, torch.save's magic number, as LONG1 (10 little-endian bytes). */
const MAGIC_LONG1 = Uint8Array.from([0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const NEWTRUE = Uint8Array.from([0x88]);
const APPENDS = Uint8Array.from([0x65]);

interface LegacyTensor {
  name: string;
  key: string;
  offset?: number;
  shape: number[];
  stride: number[];
}

interface LegacyOptions {
  magic?: Uint8Array;
  littleEndian?: boolean;
  /** The storage keys list as written (default: the storages' keys, sorted). */
  keys?: string[];
  /** Element count written before a storage's bytes (default: its true count). */
  count?: (key: string) => bigint;
  /** The sixth persistent-id item (default None). */
  viewMetadata?: Uint8Array;
}

/**
 * torch.save(obj, f, _use_new_zipfile_serialization=False) of a state dict of float32 tensors: the magic number,
 * protocol version and sys_info pickles, the state dict pickle with ('storage', type, key, location, numel,
 * view_metadata) persistent ids, the sorted storage keys pickle, then each storage as int64 count + bytes.
 */
function legacyBin(
  tensors: LegacyTensor[],
  storages: Record<string, number[]>,
  options: LegacyOptions = {},
): Uint8Array {
  const sysInfo = concat(
    op.proto(),
    op.emptyDict(),
    op.mark(),
    op.str("protocol_version"),
    op.int(1001),
    op.str("little_endian"),
    options.littleEndian === false ? op.false() : NEWTRUE,
    op.str("type_sizes"),
    op.emptyDict(),
    op.mark(),
    ...[op.str("short"), op.int(2), op.str("int"), op.int(4), op.str("long"), op.int(4)],
    op.setitems(),
    op.setitems(),
    op.stop(),
  );
  const tensor = (t: LegacyTensor): Uint8Array =>
    concat(
      op.str(t.name),
      op.global("torch._utils", "_rebuild_tensor_v2"),
      op.mark(),
      op.mark(),
      op.str("storage"),
      op.global("torch", "FloatStorage"),
      op.str(t.key),
      op.str("cpu"),
      op.int((storages[t.key] as number[]).length),
      options.viewMetadata ?? op.none(),
      op.tuple(),
      op.binpersid(),
      op.int(t.offset ?? 0),
      op.ints(t.shape),
      op.ints(t.stride),
      op.false(),
      op.global("collections", "OrderedDict"),
      op.emptyTuple(),
      op.reduce(),
      op.tuple(),
      op.reduce(),
    );
  const stateDict = concat(
    op.proto(),
    op.global("collections", "OrderedDict"),
    op.emptyTuple(),
    op.reduce(),
    op.mark(),
    ...tensors.map(tensor),
    op.setitems(),
    op.stop(),
  );
  const keys = options.keys ?? Object.keys(storages).sort();
  const keyList = concat(op.proto(), op.emptyList(), op.mark(), ...keys.map(op.str), APPENDS, op.stop());
  const data = Object.keys(storages)
    .sort()
    .map((key) => {
      const values = new Float32Array(storages[key] as number[]);
      const count = new Uint8Array(8);
      new DataView(count.buffer).setBigInt64(0, options.count?.(key) ?? BigInt(values.length), true);
      return concat(count, new Uint8Array(values.buffer));
    });
  return concat(
    concat(op.proto(), options.magic ?? MAGIC_LONG1, op.stop()),
    concat(op.proto(), op.int(1001), op.stop()),
    sysInfo,
    stateDict,
    keyList,
    ...data,
  );
}

test("legacy.bin, saved by torch 2.11 with _use_new_zipfile_serialization=False, reads as torch does", async () => {
  const file = await openPytorchBin(join(FIXTURES, "legacy.bin"));
  try {
    assert.deepEqual(file.names(), ["w"]);
    assert.deepEqual(file.info("w"), { dtype: "F32", shape: [2], byteLength: 8 });
    const w = file.tensor("w");
    assert.deepEqual(Array.from(w.dataSync()), [1, 1]);
    w.dispose();
  } finally {
    file.close();
  }
});

test("legacy storages are found in key order, shared and strided like the zip format's", async () => {
  const matrix = [1, 2, 3, 4, 5, 6];
  const path = write(
    legacyBin(
      [
        { name: "w", key: "140001", shape: [2, 3], stride: [3, 1] },
        { name: "wt", key: "140001", shape: [3, 2], stride: [1, 3] },
        { name: "row", key: "140001", offset: 3, shape: [3], stride: [1] },
        { name: "b", key: "139999", shape: [2], stride: [1] },
      ],
      { "140001": matrix, "139999": [7, 8] },
    ),
  );
  const file = await openPytorchBin(path);
  try {
    const read = (name: string): number[] => {
      const t = file.tensor(name);
      const values = Array.from(t.dataSync());
      t.dispose();
      return values;
    };
    assert.deepEqual(read("w"), matrix);
    assert.deepEqual(read("wt"), [1, 4, 2, 5, 3, 6]);
    assert.deepEqual(read("row"), [4, 5, 6]);
    assert.deepEqual(read("b"), [7, 8]);
  } finally {
    file.close();
  }
});

test("a legacy state dict pickle longer than the first read of the file is read whole", async () => {
  // 300 tensors with 4,000-character names: a 1.2 MB pickle, past the 1 MiB the reader starts with.
  const tensors = Array.from({ length: 300 }, (_, i) => ({
    name: `t${i}.${"x".repeat(4000)}`,
    key: String(1000 + i),
    shape: [1],
    stride: [1],
  }));
  const storages = Object.fromEntries(tensors.map((t, i) => [t.key, [i]]));
  const file = await openPytorchBin(write(legacyBin(tensors, storages)));
  try {
    assert.equal(file.names().length, 300);
    const last = file.tensor(tensors[299]?.name as string);
    assert.deepEqual(Array.from(last.dataSync()), [299]);
    last.dispose();
  } finally {
    file.close();
  }
});

const ONE: LegacyTensor[] = [{ name: "w", key: "1", shape: [2], stride: [1] }];
const HOSTILE: Array<[string, Uint8Array, string, string]> = [
  [
    "a pickle that is not torch.save's",
    legacyBin(ONE, { "1": [1, 2] }, { magic: op.int(7) }),
    "INVALID_PICKLE",
    "magic number",
  ],
  ["big-endian", legacyBin(ONE, { "1": [1, 2] }, { littleEndian: false }), "INVALID_PICKLE", "little_endian"],
  [
    "a storage count past the end of the file",
    legacyBin(ONE, { "1": [1, 2] }, { count: () => 1n << 40n }),
    "OFFSETS_OUT_OF_RANGE",
    "past the end",
  ],
  [
    "a storage smaller than its tensor",
    legacyBin([{ name: "w", key: "1", shape: [4], stride: [1] }], { "1": [1, 2] }),
    "OFFSETS_OUT_OF_RANGE",
    "reaches past",
  ],
  [
    "a listed storage no tensor uses",
    legacyBin(ONE, { "1": [1, 2] }, { keys: ["0", "1"] }),
    "INVALID_PICKLE",
    "used by no tensor",
  ],
  [
    "a tensor whose storage is not listed",
    legacyBin(ONE, { "1": [1, 2] }, { keys: [] }),
    "OFFSETS_OUT_OF_RANGE",
    "not in the file",
  ],
  [
    "a pre-1.0 storage view",
    legacyBin(ONE, { "1": [1, 2] }, { viewMetadata: concat(op.mark(), op.str("0"), op.int(0), op.int(2), op.tuple()) }),
    "LEGACY_PYTORCH_FORMAT",
    "storage view",
  ],
  ["a truncated pickle", legacyBin(ONE, { "1": [1, 2] }).subarray(0, 200), "INVALID_PICKLE", "truncated"],
];

test("malformed legacy files are refused with a typed error naming the file and what was wrong", async () => {
  for (const [what, contents, code, words] of HOSTILE) {
    const path = write(contents);
    await assert.rejects(openPytorchBin(path), (e: unknown) => {
      assert.ok(e instanceof PytorchBinError && e instanceof SafetensorsError, `${what}: ${String(e)}`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      assert.ok(e.message.includes(path), `${what}: ${e.message}`);
      assert.ok(e.message.includes(words), `${what}: "${e.message}" lacks "${words}"`);
      return true;
    });
  }
});
