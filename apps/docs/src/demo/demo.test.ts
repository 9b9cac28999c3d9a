import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { EncoderDecoderModel, generateText } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { CharTokenizer, demoVocabulary } from "./char-tokenizer.js";
import { loadDemoModel } from "./load-model.js";
import { DEMO_GENERATION, makeDemoModel, reverseWords } from "./make-demo-model.js";

before(async () => {
  await initBackend();
});

test("char tokenizer: [CLS] chars [SEP], padding, decode", async () => {
  const tok = new CharTokenizer(demoVocabulary());
  const { inputIds, attentionMask } = await tok.batchEncode(["Ab", "a"], { padding: "longest" });
  assert.deepEqual(inputIds, [
    [2, 5, 6, 3],
    [2, 5, 3, 0],
  ]);
  assert.deepEqual(attentionMask, [
    [1, 1, 1, 1],
    [1, 1, 1, 0],
  ]);
  assert.deepEqual(await tok.batchDecode([[2, 5, 1, 6, 3]], { skipSpecialTokens: true }), ["ab"]);
  assert.deepEqual(await tok.batchDecode([[2, 5]], {}), ["[CLS]a"]);
});

test("the demo's toy task reverses word order", () => {
  assert.equal(reverseWords(" the cat  sat "), "sat cat the");
});

test("the demo model loads from bytes exactly as fromPretrained loads it from disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "docs-demo-"));
  // Untrained (steps 0): loading must be exact whatever the weights; training is checked in the browser test.
  await makeDemoModel(dir, { steps: 0 });
  const demo = await loadDemoModel(async (file) => {
    const bytes = readFileSync(join(dir, file));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  });
  const reference = await EncoderDecoderModel.fromPretrained(dir);
  const names = [...reference.namedParameters().keys()];
  assert.deepEqual([...demo.model.namedParameters().keys()], names);
  for (const name of ["encoder.embeddings.word_embeddings.weight", "decoder.cls.predictions.bias"]) {
    const a = demo.model.namedParameters().get(name)?.dataSync();
    const b = reference.namedParameters().get(name)?.dataSync();
    assert.ok(a !== undefined && b !== undefined, name);
    assert.deepEqual(Array.from(a), Array.from(b), name);
  }
  const text = ["warm-starting in the browser"];
  const mine = await generateText(demo.model, text, { tokenizer: demo.tokenizer, ...DEMO_GENERATION });
  const theirs = await generateText(reference, text, { tokenizer: demo.tokenizer, ...DEMO_GENERATION });
  assert.deepEqual(mine, theirs);
  assert.equal(typeof mine[0], "string");
  demo.model.dispose();
  reference.dispose();
});
