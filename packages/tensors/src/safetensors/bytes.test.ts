import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { readSafetensorsBytes } from "./bytes.js";
import { SafetensorsError } from "./errors.js";
import { openSafetensors } from "./read.js";

const BERT = ["fixtures", "parity", "bert", "model.safetensors"];

test("in-memory bytes read exactly what the file reader reads", { skip: sharedSkipReason(...BERT) }, async () => {
  const path = sharedPath(...BERT) as string;
  const file = await openSafetensors(path);
  const memory = readSafetensorsBytes(new Uint8Array(readFileSync(path)), "model.safetensors");
  try {
    assert.deepEqual(memory.names(), file.names());
    assert.deepEqual(memory.metadata, file.metadata);
    for (const name of file.names()) {
      assert.deepEqual(memory.info(name), file.info(name));
      const [a, b] = [memory.tensor(name), file.tensor(name)];
      assert.deepEqual(a.dataSync(), b.dataSync(), name);
      a.dispose();
      b.dispose();
    }
  } finally {
    file.close();
  }
});

test("in-memory bytes get the file reader's validation", () => {
  const refused = (bytes: Uint8Array, code: string) =>
    assert.throws(
      () => readSafetensorsBytes(bytes, "x.safetensors"),
      (e: unknown) => e instanceof SafetensorsError && e.code === code && e.file === "x.safetensors",
    );
  refused(new Uint8Array(4), "FILE_TOO_SHORT");
  const tooLong = new Uint8Array(16);
  new DataView(tooLong.buffer).setBigUint64(0, 100n, true);
  refused(tooLong, "HEADER_TOO_LARGE");
  const header = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
  const file = new Uint8Array(8 + header.length + 4);
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  refused(file, "OFFSETS_OUT_OF_RANGE");
});
