import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { PureTokenizer } from "@warmstart/tokenizers/browser";
import { FIXED_INPUTS } from "./fixed-inputs.js";
import { generateDemoOutput, type DemoTokenizers } from "./generation.js";
import { DECODER_TOKENIZER_DIR, loadDemoModel, type DemoModel } from "./load-model.js";
import {
  COMMITTED_DEMO_MODEL_DIR,
  COMPRESSED_SUFFIX,
  demoModelDir,
  loadNodeReference,
  materializeDemoModel,
  readProvenance,
} from "./node-reference.js";

/** demo-model/ as the site serves it: the committed folder with its weights decompressed and checked. */
const DEMO_MODEL_DIR = demoModelDir();

const provenance = readProvenance(DEMO_MODEL_DIR);
const readBytes = async (file: string): Promise<ArrayBuffer> => {
  const bytes = readFileSync(join(DEMO_MODEL_DIR, file));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(DEMO_MODEL_DIR, file), "utf8"));
/** A tokenizer config the folder may lack (PureTokenizer and AutoTokenizer then take the vocabulary's defaults). */
const readOptionalJson = (file: string): unknown => (file in provenance.files ? readJson(file) : undefined);
const texts = [...FIXED_INPUTS, ...provenance.examples.flatMap((e) => [e.source, e.reference])];

let reference: { model: EncoderDecoderModel; tokenizers: DemoTokenizers };
let page: DemoModel;

before(async () => {
  await initBackend();
  reference = await loadNodeReference(DEMO_MODEL_DIR);
  page = await loadDemoModel(readBytes);
});

after(() => {
  reference.model.dispose();
  page.model.dispose();
});

test("every file of demo-model/ has the size and sha256 provenance.json records", () => {
  for (const [file, { bytes, sha256 }] of Object.entries(provenance.files)) {
    const data = readFileSync(join(DEMO_MODEL_DIR, file));
    assert.equal(data.length, bytes, file);
    assert.equal(createHash("sha256").update(data).digest("hex"), sha256, file);
  }
  assert.ok("model.safetensors" in provenance.files && "tokenizer.json" in provenance.files);
  assert.ok(
    provenance.examples.some((e) => e.direction === "fuse"),
    "no fuse example",
  );
  assert.ok(
    provenance.examples.some((e) => e.direction === "split"),
    "no split example",
  );
});

test("materializeDemoModel refuses a committed file whose bytes differ from provenance.json, naming it", () => {
  const copy = mkdtempSync(join(tmpdir(), "warmstart-demo-model-"));
  try {
    cpSync(COMMITTED_DEMO_MODEL_DIR, copy, { recursive: true });
    assert.ok(existsSync(join(copy, `model.safetensors${COMPRESSED_SUFFIX}`)), "the weights are committed compressed");
    writeFileSync(join(copy, "tokenizer.json"), "{}");
    assert.throws(
      () => materializeDemoModel(join(copy, "out"), copy),
      /tokenizer\.json: 2 bytes, sha256 [0-9a-f]{64}; provenance\.json expects/,
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test("PureTokenizer encodes the demo's examples exactly as the native tokenizer", async () => {
  const sides: [string, DemoTokenizers["source"]][] = [["", reference.tokenizers.source]];
  if (`${DECODER_TOKENIZER_DIR}/tokenizer.json` in provenance.files) {
    sides.push([`${DECODER_TOKENIZER_DIR}/`, reference.tokenizers.target]);
  }
  for (const [dir, native] of sides) {
    const pure = PureTokenizer.fromFiles({
      tokenizer: readJson(`${dir}tokenizer.json`),
      tokenizerConfig: readOptionalJson(`${dir}tokenizer_config.json`),
      specialTokensMap: readOptionalJson(`${dir}special_tokens_map.json`),
    });
    const options = { padding: "longest", truncation: true, maxLength: provenance.generation.maxInputLength } as const;
    const mine = await pure.batchEncode(texts, options);
    const theirs = await native.batchEncode(texts, options);
    assert.deepEqual(mine.inputIds, theirs.inputIds, `${dir}tokenizer.json: input ids`);
    assert.deepEqual(mine.attentionMask, theirs.attentionMask, `${dir}tokenizer.json: attention mask`);
    assert.ok(
      mine.inputIds.every((row) => row.length > 2),
      "every text encodes to tokens",
    );
    const decode = { skipSpecialTokens: true };
    assert.deepEqual(
      await pure.batchDecode(theirs.inputIds, decode),
      await native.batchDecode(theirs.inputIds, decode),
      `${dir}tokenizer.json: decoding`,
    );
  }
});

test("the page's loader builds the model fromPretrained reads, and it generates the same", async () => {
  const mine = page.model.namedParameters();
  const theirs = reference.model.namedParameters();
  assert.deepEqual([...mine.keys()], [...theirs.keys()]);
  for (const [name, variable] of theirs) {
    assert.deepEqual(Array.from(mine.get(name)?.dataSync() ?? []), Array.from(variable.dataSync()), name);
  }
  for (const text of FIXED_INPUTS) {
    const a = await generateDemoOutput(page.model, page.tokenizers, text, provenance.generation, page.stored);
    const b = await generateDemoOutput(reference.model, reference.tokenizers, text, provenance.generation);
    assert.deepEqual(a, b, text);
    assert.ok(a.ids.length >= 2 && a.ids.length <= provenance.generation.maxLength, `${a.ids.length} ids`);
  }
});
