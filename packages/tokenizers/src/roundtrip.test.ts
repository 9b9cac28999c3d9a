import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { bertUncasedNormalise } from "./test-support/bert-normalise.js";
import { bertUncased, gpt2 } from "./test-support/vocabs.js";

const SPLIT_MARKER = " <::::> ";

/** Every sentence of validation.tsv: column 1 and each split sentence of column 2. */
async function validationSentences(): Promise<string[]> {
  const path = sharedPath("data", "wikisplit", "validation.tsv") as string;
  const lines = (await readFile(path, "utf8")).split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 5000);
  return lines.flatMap((line) => {
    const [unsplit, split] = line.split("\t");
    assert.ok(unsplit !== undefined && split !== undefined, `malformed line: ${line}`);
    return [unsplit, ...split.split(SPLIT_MARKER)];
  });
}

const skip = sharedSkipReason("data", "wikisplit", "validation.tsv");

test("uncased BERT: decode(encode(x)) is x lower-cased, accent-stripped and punctuation-split", { skip }, async () => {
  const tok = await bertUncased();
  const sentences = await validationSentences();
  const encoded = await tok.batchEncode(sentences);
  const decoded = await tok.batchDecode(encoded.inputIds, {
    skipSpecialTokens: true,
    cleanUpTokenizationSpaces: false,
  });
  const withUnk: number[] = [];
  decoded.forEach((text, i) => {
    if (encoded.inputIds[i]?.includes(tok.unkTokenId as number)) withUnk.push(i);
    else assert.equal(text, bertUncasedNormalise(sentences[i] as string), `sentence ${i}`);
  });
  // A word with a character outside the vocabulary becomes one [UNK]; everything around it must
  // still round-trip, so each [UNK] stands for exactly one whitespace-free word of the input.
  assert.ok(withUnk.length < sentences.length / 100, `${withUnk.length} sentences hit [UNK]`);
  const kept = await tok.batchDecode(
    withUnk.map((i) => encoded.inputIds[i] as number[]),
    { cleanUpTokenizationSpaces: false },
  );
  kept.forEach((text, k) => {
    const body = text.replace(/^\[CLS\] /, "").replace(/ \[SEP\]$/, "");
    const pattern = body
      .split("[UNK]")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\S+");
    const i = withUnk[k] as number;
    assert.match(bertUncasedNormalise(sentences[i] as string), new RegExp(`^${pattern}$`, "u"), `sentence ${i}`);
  });
});

test("GPT-2: decode(encode(x)) is x exactly", { skip }, async () => {
  const tok = await gpt2();
  const sentences = await validationSentences();
  const encoded = await tok.batchEncode(sentences);
  const decoded = await tok.batchDecode(encoded.inputIds, { cleanUpTokenizationSpaces: false });
  decoded.forEach((text, i) => assert.equal(text, sentences[i], `sentence ${i}`));
});
