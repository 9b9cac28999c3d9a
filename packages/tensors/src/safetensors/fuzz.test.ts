import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { sharedPath } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { createRandom, type Random } from "../random.js";
import { safetensorsBytes, type RawTensor } from "../test-support/safetensors_bytes.js";
import { SafetensorsError } from "./errors.js";
import { openSafetensors } from "./read.js";

await tf.setBackend("cpu");
const dir = mkdtempSync(join(tmpdir(), "warmstart-fuzz-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DTYPES = [
  "F32",
  "F16",
  "BF16",
  "F64",
  "I64",
  "I32",
  "I16",
  "I8",
  "U64",
  "U32",
  "U16",
  "U8",
  "BOOL",
  "F8_E4M3",
  "F8_E5M2",
];
const SIZES: Record<string, number> = {
  F64: 8,
  I64: 8,
  U64: 8,
  F32: 4,
  I32: 4,
  U32: 4,
  F16: 2,
  BF16: 2,
  I16: 2,
  U16: 2,
};
const CASES_FROM_BERT = 600;
const TOTAL_CASES = 2200;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)] as T;
}

/** A valid file with a few random tensors of random dtypes and shapes (zero-sized ones included). */
function synthetic(random: Random): Uint8Array {
  const tensors: Record<string, RawTensor> = {};
  const count = random.int(5);
  for (let t = 0; t < count; t++) {
    const dtype = pick(random, DTYPES);
    const shape = Array.from({ length: random.int(4) }, () => random.int(5));
    const bytes = shape.reduce((n, d) => n * d, SIZES[dtype] ?? 1);
    const data = new Uint8Array(bytes).map(() => random.int(256));
    tensors[`t${t}.${pick(random, ["weight", "bias", "é", ""])}`] = { dtype, shape, data };
  }
  return safetensorsBytes(tensors, random.int(2) === 0 ? { metadata: { format: "pt" } } : {});
}

const INTERESTING = [
  -1,
  0,
  1,
  7,
  8,
  9,
  255,
  65535,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  -(2 ** 31),
  0.5,
];

/** Rewrites one field of one header entry with a hostile value, keeping the prefix consistent. */
function mutateHeader(bytes: Uint8Array, random: Random): Uint8Array {
  const buffer = Buffer.from(bytes);
  const length = Number(buffer.readBigUInt64LE(0));
  let header: Record<string, Record<string, unknown>>;
  try {
    header = JSON.parse(buffer.subarray(8, 8 + length).toString("utf8"));
  } catch {
    return flipBytes(bytes, random);
  }
  const names = Object.keys(header);
  if (names.length === 0) return flipBytes(bytes, random);
  const entry = header[pick(random, names)] as Record<string, unknown>;
  const value = (): unknown =>
    pick(random, [
      pick(random, INTERESTING),
      "x",
      null,
      [],
      {},
      [pick(random, INTERESTING)],
      true,
      pick(random, DTYPES) + "X",
    ]);
  switch (random.int(8)) {
    case 0:
      entry.dtype = random.int(2) === 0 ? pick(random, DTYPES) : value();
      break;
    case 1:
      if (Array.isArray(entry.shape) && entry.shape.length > 0) {
        entry.shape[random.int(entry.shape.length)] = pick(random, INTERESTING);
      } else entry.shape = value();
      break;
    case 2:
      entry.shape = Array.isArray(entry.shape) ? [...entry.shape, pick(random, INTERESTING)] : value();
      break;
    case 3:
      if (Array.isArray(entry.data_offsets)) entry.data_offsets[random.int(2)] = pick(random, INTERESTING);
      break;
    case 4:
      entry.data_offsets = random.int(2) === 0 ? value() : [...((entry.data_offsets as unknown[]) ?? []), 0];
      break;
    case 5:
      delete entry[pick(random, ["dtype", "shape", "data_offsets"])];
      break;
    case 6: {
      // Another entry's place and layout: overlapping data when the two differ and are non-empty.
      const other = header[pick(random, names)] as Record<string, unknown>;
      Object.assign(entry, { dtype: other.dtype, shape: other.shape, data_offsets: other.data_offsets });
      break;
    }
    default:
      (header as Record<string, unknown>)[pick(random, ["__metadata__", "z"])] = value();
  }
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, buffer.subarray(8 + length)]);
}

function flipBytes(bytes: Uint8Array, random: Random): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (out.length === 0) return out;
  // Mostly the prefix and header, where a flip changes meaning rather than one weight's value.
  const region = Math.min(out.length, 8 + Math.min(Number(Buffer.from(out).readBigUInt64LE(0) & 0xffffn), out.length));
  for (let i = 1 + random.int(4); i > 0; i--) out[random.int(Math.max(region, 1))] = random.int(256);
  return out;
}

function setLength(bytes: Uint8Array, random: Random): Uint8Array {
  const out = Buffer.from(bytes);
  const actual = out.length >= 8 ? Number(out.readBigUInt64LE(0)) : 0;
  const choices = [
    0n,
    1n,
    BigInt(actual + 1),
    BigInt(Math.max(actual - 1, 0)),
    BigInt(out.length),
    2n ** 63n,
    2n ** 64n - 1n,
    BigInt(random.int(2 ** 31)),
  ];
  if (out.length >= 8) out.writeBigUInt64LE(pick(random, choices));
  return out;
}

function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  switch (random.int(6)) {
    case 0:
      return bytes.subarray(0, random.int(bytes.length + 1));
    case 1:
      return flipBytes(bytes, random);
    case 2:
      return setLength(bytes, random);
    case 3: {
      const cut = random.int(bytes.length + 1);
      return Buffer.concat([
        bytes.subarray(0, cut),
        new Uint8Array(1 + random.int(9)).map(() => random.int(256)),
        bytes.subarray(cut),
      ]);
    }
    default:
      return mutateHeader(bytes, random);
  }
}

interface Outcome {
  loaded: boolean;
  code?: string;
}

/** Opens the file and reads every tensor, with every reader allocation bounded by the file size. */
async function load(path: string, fileSize: number): Promise<Outcome> {
  const allocate = (n: number): Uint8Array => {
    assert.ok(n <= fileSize, `reader asked for ${n} bytes from a ${fileSize}-byte file`);
    return new Uint8Array(n);
  };
  try {
    const file = await openSafetensors(path, { allocate });
    try {
      for (const name of file.names()) {
        const info = file.info(name);
        assert.ok(info.byteLength <= fileSize);
        const tensor = file.tensor(name);
        assert.ok(tensor.size <= fileSize, `tensor of ${tensor.size} elements from a ${fileSize}-byte file`);
        tensor.dispose();
      }
    } finally {
      file.close();
    }
    return { loaded: true };
  } catch (error) {
    if (error instanceof SafetensorsError) return { loaded: false, code: error.code };
    throw error;
  }
}

test(
  "2,200 truncated or mutated files each load or throw SafetensorsError, within bounded memory and time",
  { timeout: 120_000 },
  async () => {
    const random = createRandom(20261125);
    const bertPath = sharedPath("fixtures", "parity", "bert", "model.safetensors");
    const bert = bertPath === undefined ? undefined : new Uint8Array(readFileSync(bertPath));
    const path = join(dir, "case.safetensors");
    const codes = new Map<string, number>();
    let loaded = 0;
    let slowest = 0;
    // Without ../shared every case is synthetic.
    const fromBert = bert === undefined ? 0 : CASES_FROM_BERT;
    const total = TOTAL_CASES;
    for (let i = 0; i < total; i++) {
      const caseRandom = random.fork(`case ${i}`);
      const base = i < fromBert && bert !== undefined ? bert : synthetic(caseRandom);
      // A few synthetic files stay valid, to check the fuzzer's own files load.
      const bytes = base === bert || caseRandom.int(5) !== 0 ? mutate(base, caseRandom) : base;
      writeFileSync(path, bytes);
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await load(path, bytes.length);
      } catch (error) {
        assert.fail(`case ${i} (${bytes.length} bytes) threw a non-SafetensorsError: ${(error as Error).stack}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
      if (outcome.loaded) loaded++;
      else codes.set(outcome.code as string, (codes.get(outcome.code as string) ?? 0) + 1);
    }
    assert.ok(slowest < 2000, `slowest case took ${slowest.toFixed(0)} ms`);
    // The fuzzer must reach both outcomes and the main rejection paths, or it proves nothing.
    assert.ok(loaded > 100, `only ${loaded} files loaded`);
    for (const code of [
      "OVERLAPPING_OFFSETS",
      "HEADER_TOO_LARGE",
      "INVALID_HEADER_JSON",
      "INVALID_HEADER",
      "UNKNOWN_DTYPE",
      "OFFSETS_OUT_OF_RANGE",
      "SIZE_MISMATCH",
      "DATA_GAP",
    ]) {
      assert.ok(
        (codes.get(code) ?? 0) > 0,
        `no case was rejected with ${code}: ${JSON.stringify(Object.fromEntries(codes))}`,
      );
    }
    assert.equal(tf.memory().numTensors, 0);
  },
);
