/*
 * Guarantee: hostile files are refused before any large allocation, each with a typed error (a
 * `code`) that names the file and the field: safetensors headers and shapes, config.json sizes and
 * types, tokenizer.json, sharded indexes pointing outside the folder, and Hub listings with path
 * traversal or absolute paths, and hostile pytorch_model.bin files (globals such as posix.system,
 * REDUCE / BUILD gadgets, storages past their data, zip bombs, deep nesting, opcode floods), which the
 * restricted unpickler refuses without running anything. Also byte-level fuzzing of a valid safetensors
 * file and of a valid pytorch_model.bin: every mutant is either read or refused with a typed error.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AutoEncoder, EncoderDecoderModel } from "@warmstart/composer";
import { resolveModel } from "@warmstart/hub";
import { startTestHub } from "@warmstart/hub/testing";
import { initBackend, openCheckpoint, openPytorchBin, openSafetensors, tf, writeSafetensors } from "@warmstart/tensors";
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
import { Tokenizer } from "@warmstart/tokenizers";
import { expectRefusal } from "./test-support/refusal.js";
import { faultSeed, seeded } from "./test-support/rng.js";
import { createTally } from "./test-support/tally.js";

const tally = createTally("hostile files");
let root: string;

before(async () => {
  await initBackend({ backend: "cpu" });
  root = await mkdtemp(join(tmpdir(), "faults-files-"));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A safetensors file with this header object and `dataBytes` zero bytes of data. */
function safetensorsWith(header: unknown, dataBytes = 0): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(dataBytes)]);
}

const HOSTILE_HEADERS: Array<[string, Buffer, string]> = [
  [
    "shape product beyond 2^53",
    safetensorsWith({ w: { dtype: "F32", shape: [2 ** 27, 2 ** 27, 2 ** 4], data_offsets: [0, 16] } }, 16),
    "w",
  ],
  ["negative dimension", safetensorsWith({ w: { dtype: "F32", shape: [-4, 1], data_offsets: [0, 16] } }, 16), "w"],
  ["fractional dimension", safetensorsWith({ w: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, 4), "w"],
  ["huge dimension, tiny data", safetensorsWith({ w: { dtype: "F32", shape: [1e12], data_offsets: [0, 4] } }, 4), "w"],
  ["offsets beyond the file", safetensorsWith({ w: { dtype: "F32", shape: [1], data_offsets: [0, 2 ** 40] } }, 4), "w"],
  [
    "offsets beyond 2^53",
    safetensorsWith({ w: { dtype: "F32", shape: [1], data_offsets: [2 ** 60, 2 ** 60 + 4] } }, 4),
    "w",
  ],
  ["unknown dtype", safetensorsWith({ w: { dtype: "Q7", shape: [1], data_offsets: [0, 4] } }, 4), "w"],
  ["shape not an array", safetensorsWith({ w: { dtype: "F32", shape: "4", data_offsets: [0, 16] } }, 16), "w"],
  ["header length of 2^63", Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]), Buffer.from("{}")]), "header"],
  ["header that is not JSON", Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{{{{")]), "JSON"],
];

test("safetensors files with overflowing, negative or impossible shapes and offsets are refused", async () => {
  const problems: string[] = [];
  for (const [what, bytes, field] of HOSTILE_HEADERS) {
    const path = join(root, `${what.replace(/\W+/g, "-")}.safetensors`);
    writeFileSync(path, bytes);
    tally.filesFuzzed += 1;
    const problem = await expectRefusal(tally, what, [path, field], async () => {
      const file = await openSafetensors(path);
      try {
        for (const name of file.names()) file.tensor(name).dispose();
      } finally {
        file.close();
      }
    });
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test("byte-level mutants of a valid safetensors file are read or refused with a typed error, never crash", async () => {
  const valid = join(root, "valid.safetensors");
  const tensors = new Map<string, tf.Tensor>([
    [
      "a",
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ],
    ["b", tf.tensor1d([5, 6, 7], "int32")],
  ]);
  await writeSafetensors(valid, tensors, { format: "pt" });
  for (const t of tensors.values()) t.dispose();
  const bytes = await readFile(valid);
  const random = seeded(faultSeed(7));
  const problems: string[] = [];
  for (let i = 0; i < 300; i++) {
    const mutant = Buffer.from(bytes);
    const kind = i % 3;
    if (kind === 0) {
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        mutant[Math.floor(random() * mutant.length)] = Math.floor(random() * 256);
      }
    }
    const cut = kind === 1 ? mutant.subarray(0, Math.floor(random() * mutant.length)) : mutant;
    if (kind === 2) {
      cut.writeBigUInt64LE(BigInt(Math.floor(random() * 2 ** 52)) * BigInt(1 + Math.floor(random() * 4000)), 0);
    }
    const path = join(root, `mutant-${i}.safetensors`);
    writeFileSync(path, cut);
    tally.filesFuzzed += 1;
    tally.hostileInputsTried += 1;
    try {
      const file = await openSafetensors(path);
      try {
        for (const name of file.names()) tf.dispose(file.tensor(name));
      } finally {
        file.close();
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "string" || !(error as Error).message.includes(path)) {
        problems.push(`mutant ${i}: ${String(error)}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

const BERT = {
  model_type: "bert",
  vocab_size: 50,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
};

const HOSTILE_CONFIGS: Array<[string, Record<string, unknown>, string]> = [
  ["vocab of 10^12", { ...BERT, vocab_size: 1e12 }, "vocab_size"],
  ["10^6 layers", { ...BERT, num_hidden_layers: 1e6 }, "num_hidden_layers"],
  ["hidden size of 2^40", { ...BERT, hidden_size: 2 ** 40, num_attention_heads: 1 }, "hidden_size"],
  ["10^9 positions", { ...BERT, max_position_embeddings: 1e9 }, "max_position_embeddings"],
  ["hidden size as a string", { ...BERT, hidden_size: "768" }, "hidden_size"],
  ["layers as a float", { ...BERT, num_hidden_layers: 1.5 }, "num_hidden_layers"],
  ["negative vocab", { ...BERT, vocab_size: -5 }, "vocab_size"],
  ["heads as null", { ...BERT, num_attention_heads: null }, "num_attention_heads"],
];

test("config.json with absurd sizes or wrong types is refused by AutoEncoder.fromConfig before allocating", async () => {
  const problems: string[] = [];
  for (const [what, config, field] of HOSTILE_CONFIGS) {
    const problem = await expectRefusal(tally, `AutoEncoder.fromConfig: ${what}`, [field], () =>
      AutoEncoder.fromConfig(config).dispose(),
    );
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test("an encoder-decoder folder whose config.json has absurd sizes or wrong types is refused, naming the file and field", async () => {
  const problems: string[] = [];
  for (const [i, [what, config, field]] of HOSTILE_CONFIGS.entries()) {
    const dir = join(root, `composed-${i}`);
    mkdirSync(dir);
    const json = {
      model_type: "encoder-decoder",
      is_encoder_decoder: true,
      encoder: BERT,
      decoder: { ...config, is_decoder: true, add_cross_attention: true },
    };
    writeFileSync(join(dir, "config.json"), JSON.stringify(json));
    writeFileSync(join(dir, "model.safetensors"), safetensorsWith({}));
    tally.filesFuzzed += 1;
    const problem = await expectRefusal(
      tally,
      `EncoderDecoderModel.fromPretrained: ${what}`,
      ["config.json", field],
      async () => (await EncoderDecoderModel.fromPretrained(dir)).dispose(),
    );
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test("tokenizer.json files the binding rejects are refused with a typed error naming the file", async () => {
  const hostile: Array<[string, string]> = [
    ["not JSON", "{ this is not json"],
    ["a JSON array", "[1, 2, 3]"],
    ["unknown model type", JSON.stringify({ version: "1.0", model: { type: "Quantum", vocab: {} } })],
    [
      "vocab of the wrong type",
      JSON.stringify({ version: "1.0", model: { type: "WordPiece", vocab: [1, 2], unk_token: "[UNK]" } }),
    ],
    [
      "truncation of a billion",
      JSON.stringify({
        version: "1.0",
        truncation: { max_length: "a lot" },
        model: { type: "WordPiece", vocab: { "[UNK]": 0 }, unk_token: "[UNK]" },
      }),
    ],
  ];
  const problems: string[] = [];
  for (const [i, [what, text]] of hostile.entries()) {
    const path = join(root, `tokenizer-${i}.json`);
    writeFileSync(path, text);
    tally.filesFuzzed += 1;
    const problem = await expectRefusal(tally, `tokenizer.json: ${what}`, [path], () => Tokenizer.fromFile(path));
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test("a sharded index that points outside the model folder is refused", async () => {
  const problems: string[] = [];
  for (const [i, shard] of [
    "../../x.safetensors",
    "/etc/passwd",
    "sub/../../y.safetensors",
    "..\\..\\z.safetensors",
  ].entries()) {
    const dir = join(root, `sharded-${i}`);
    mkdirSync(dir);
    const index = join(dir, "model.safetensors.index.json");
    writeFileSync(index, JSON.stringify({ metadata: { total_size: 4 }, weight_map: { w: shard } }));
    tally.filesFuzzed += 1;
    const problem = await expectRefusal(
      tally,
      `index shard ${shard}`,
      ["model.safetensors.index.json", shard],
      async () => (await openCheckpoint(dir)).close(),
    );
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

test("Hub listings and indexes with path traversal or absolute paths are refused before anything is written outside the cache", async () => {
  const hostilePaths = ["../outside.json", "/etc/passwd", "a/../../b", "..", "C:\\evil", "sub/./../../x"];
  const problems: string[] = [];
  for (const [i, path] of hostilePaths.entries()) {
    const hub = await startTestHub({
      repos: [
        {
          id: "faults/listing",
          files: { "config.json": "{}", "model.safetensors": safetensorsWith({}) },
          extraListing: [{ type: "file", oid: "0".repeat(40), size: 2, path }],
        },
      ],
    });
    try {
      const cacheDir = join(root, `listing-${i}`, "cache");
      const problem = await expectRefusal(tally, `listing entry ${path}`, [path], () =>
        resolveModel("faults/listing", { hubUrl: hub.url, cacheDir, retries: 0 }),
      );
      if (problem !== undefined) problems.push(problem);
    } finally {
      await hub.close();
    }
  }
  for (const [i, shard] of ["../../x.safetensors", "/etc/passwd"].entries()) {
    const hub = await startTestHub({
      repos: [
        {
          id: "faults/index",
          files: {
            "config.json": "{}",
            "model.safetensors.index.json": JSON.stringify({ metadata: {}, weight_map: { w: shard } }),
          },
        },
      ],
    });
    try {
      const cacheDir = join(root, `index-${i}`, "cache");
      const problem = await expectRefusal(tally, `Hub index shard ${shard}`, [shard], () =>
        resolveModel("faults/index", { hubUrl: hub.url, cacheDir, retries: 0 }),
      );
      if (problem !== undefined) problems.push(problem);
    } finally {
      await hub.close();
    }
  }
  assert.deepEqual(problems, []);
});

const W = FLOAT_2X3;
const STORAGE = FLOAT_2X3_STORAGE;
const callOf = (module: string, name: string, ...args: Uint8Array[]) =>
  concat(op.global(module, name), op.mark(), ...args, op.tuple(), op.reduce());
const nestedLists = (n: number) =>
  concat(op.proto(), new Uint8Array(n).fill(0x5d), new Uint8Array(n - 1).fill(0x61), op.stop());

/** [what, pytorch_model.bin bytes, words the refusal must name besides the file]. Built here, never by torch. */
const HOSTILE_BINS: Array<[string, Uint8Array, string]> = [
  [
    "posix.system global",
    torchZip(concat(op.proto(), callOf("posix", "system", op.str("touch /tmp/faults-pwned")), op.stop())),
    "posix.system",
  ],
  [
    "builtins.eval global",
    torchZip(concat(op.proto(), callOf("builtins", "eval", op.str("__import__('os')")), op.stop())),
    "builtins.eval",
  ],
  [
    "STACK_GLOBAL subprocess.Popen",
    torchZip(concat(op.proto(), op.str("subprocess"), op.str("Popen"), Uint8Array.of(0x93), op.stop())),
    "subprocess.Popen",
  ],
  [
    "REDUCE gadget on a storage class",
    torchZip(concat(op.proto(), callOf("torch", "FloatStorage", op.int(1)), op.stop())),
    "REDUCE",
  ],
  [
    "REDUCE on OrderedDict with arguments",
    torchZip(concat(op.proto(), callOf("collections", "OrderedDict", op.emptyList()), op.stop())),
    "OrderedDict",
  ],
  [
    "BUILD on a tensor",
    torchZip(concat(op.proto(), tensorPickle(W), op.emptyDict(), op.build(), op.stop()), STORAGE),
    "BUILD",
  ],
  [
    "NEWOBJ opcode",
    torchZip(
      concat(op.proto(), op.global("collections", "OrderedDict"), op.emptyTuple(), Uint8Array.of(0x81), op.stop()),
    ),
    "NEWOBJ",
  ],
  ["storage past the end of its data", torchZip(stateDictPickle([{ ...W, numel: 1 << 30 }]), STORAGE), "data/0"],
  ["view past the end of its storage", torchZip(stateDictPickle([{ ...W, offset: 5 }]), STORAGE), "w"],
  [
    "zip bomb (4 GiB declared)",
    zipOf([{ name: "archive/data.pkl", data: new Uint8Array(64), declaredSize: 0xfffffff0 }]),
    "beyond",
  ],
  ["compressed zip entry", zipOf([{ name: "archive/data.pkl", data: new Uint8Array(64), method: 8 }]), "compressed"],
  ["lists nested 1,000 deep", torchZip(nestedLists(1000)), "nested deeper"],
  ["200,000 lists on the stack", torchZip(nestedLists(200_000)), "on the stack"],
  ["MARKs nested 100,000 deep", torchZip(concat(op.proto(), new Uint8Array(100_000).fill(0x28), op.stop())), "MARK"],
  [
    "2,000,001 opcodes",
    torchZip(
      concat(
        op.proto(),
        new Uint8Array(4_000_002).map((_, i) => (i % 2 ? 0x30 : 0x4e)),
        op.stop(),
      ),
    ),
    "opcodes",
  ],
];

test("hostile pytorch_model.bin files are refused with a typed error naming the file, quickly and without running anything", async () => {
  const problems: string[] = [];
  const marker = "/tmp/faults-pwned";
  for (const [i, [what, bytes, word]] of HOSTILE_BINS.entries()) {
    const dir = join(root, `bin-${i}`);
    mkdirSync(dir);
    const path = join(dir, "pytorch_model.bin");
    writeFileSync(path, bytes);
    tally.filesFuzzed += 1;
    const cpu = process.cpuUsage();
    const problem = await expectRefusal(tally, `pytorch_model.bin: ${what}`, [path, word], async () =>
      (await openCheckpoint(dir)).close(),
    );
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    if (problem !== undefined) problems.push(problem);
    else if (ms > 1000) problems.push(`pytorch_model.bin: ${what}: refused only after ${ms.toFixed(0)} ms of CPU`);
  }
  // The same refusal through a model loader, with a config.json beside the file.
  const dir = join(root, "bin-composed");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      model_type: "encoder-decoder",
      is_encoder_decoder: true,
      encoder: BERT,
      decoder: { ...BERT, is_decoder: true, add_cross_attention: true },
    }),
  );
  writeFileSync(join(dir, "pytorch_model.bin"), (HOSTILE_BINS[0] as [string, Uint8Array, string])[1]);
  tally.filesFuzzed += 1;
  const problem = await expectRefusal(
    tally,
    "EncoderDecoderModel.fromPretrained: posix.system in pytorch_model.bin",
    ["pytorch_model.bin", "posix.system"],
    async () => (await EncoderDecoderModel.fromPretrained(dir)).dispose(),
  );
  if (problem !== undefined) problems.push(problem);
  if (existsSync(marker)) problems.push(`${marker} exists: something ran`);
  assert.deepEqual(problems, []);
});

test("byte-level mutants of a pytorch_model.bin torch wrote are read or refused with a typed error, never crash", async () => {
  const bytes = await readFile(join(repoRoot(), "packages", "tensors", "fixtures", "pytorch-bin", "views.bin"));
  const random = seeded(faultSeed(11));
  const problems: string[] = [];
  for (let i = 0; i < 300; i++) {
    const mutant = Buffer.from(bytes);
    const kind = i % 3;
    if (kind === 0) {
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        mutant[Math.floor(random() * mutant.length)] = Math.floor(random() * 256);
      }
    }
    // Mutate data.pkl itself (the first member, right after its local header) as often as the rest.
    if (kind === 2) {
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        mutant[40 + Math.floor(random() * 600)] = Math.floor(random() * 256);
      }
    }
    const cut = kind === 1 ? mutant.subarray(0, Math.floor(random() * mutant.length)) : mutant;
    const path = join(root, `mutant-${i}.bin`);
    writeFileSync(path, cut);
    tally.filesFuzzed += 1;
    tally.hostileInputsTried += 1;
    try {
      const file = await openPytorchBin(path);
      try {
        for (const name of file.names()) tf.dispose(file.tensor(name));
      } finally {
        file.close();
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "string" || /^ERR_|^E[A-Z]+$/.test(code) || !(error as Error).message.includes(path)) {
        problems.push(`mutant ${i}: ${String(error)}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
