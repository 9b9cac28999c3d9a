import assert from "node:assert/strict";
import { test } from "node:test";
import { bertUncased } from "./test-support/vocabs.js";

test("bert-base-uncased encodes the issue's known ids", async () => {
  const tok = await bertUncased();
  const enc = await tok.encode("Hello, world!");
  assert.deepEqual(enc.inputIds, [101, 7592, 1010, 2088, 999, 102]);
  assert.deepEqual(enc.tokens, ["[CLS]", "hello", ",", "world", "!", "[SEP]"]);
  assert.deepEqual(enc.attentionMask, [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(enc.tokenTypeIds, [0, 0, 0, 0, 0, 0]);
});

test("accents are stripped and case folded like uncased BERT", async () => {
  const tok = await bertUncased();
  assert.deepEqual(await tok.tokenize("Crème Brûlée NAÏVE"), ["cr", "##eme", "br", "##ule", "##e", "naive"]);
  const plain = await tok.encode("creme brulee naive");
  assert.deepEqual((await tok.encode("Crème Brûlée NAÏVE")).inputIds, plain.inputIds);
});

test("CJK ideographs become one token each and unknown symbols become [UNK]", async () => {
  const tok = await bertUncased();
  assert.deepEqual(await tok.tokenize("日本語"), ["日", "本", "語"]);
  const enc = await tok.encode("smile \u{1F600}");
  assert.deepEqual(enc.inputIds.slice(1, -1), [tok.tokenToId("smile"), tok.unkTokenId]);
});

test("long words split into ## pieces and decode back whole", async () => {
  const tok = await bertUncased();
  const pieces = await tok.tokenize("antidisestablishmentarianism");
  assert.deepEqual(pieces, ["anti", "##dis", "##est", "##ab", "##lish", "##ment", "##arian", "##ism"]);
  const ids = (await tok.encode("antidisestablishmentarianism", undefined, { addSpecialTokens: false })).inputIds;
  assert.equal(await tok.decode(ids), "antidisestablishmentarianism");
});

test("runs of whitespace, tabs and newlines count as one separator", async () => {
  const tok = await bertUncased();
  const spaced = await tok.encode("  hello   \t\n  world \r\n");
  assert.deepEqual(spaced.inputIds, (await tok.encode("hello world")).inputIds);
});

test("pairs get [SEP] between them and token type 1 on the second segment", async () => {
  const tok = await bertUncased();
  const enc = await tok.encode("Who is John?", "John is a teacher.");
  assert.deepEqual(enc.tokens, [
    "[CLS]",
    "who",
    "is",
    "john",
    "?",
    "[SEP]",
    "john",
    "is",
    "a",
    "teacher",
    ".",
    "[SEP]",
  ]);
  assert.deepEqual(enc.tokenTypeIds, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  const batch = await tok.batchEncode(
    [
      ["a", "b c"],
      ["d e f", "g"],
    ],
    { padding: "longest" },
  );
  assert.deepEqual(batch.tokenTypeIds, [
    [0, 0, 0, 1, 1, 1, 0],
    [0, 0, 0, 0, 0, 1, 1],
  ]);
  assert.deepEqual(batch.attentionMask, [
    [1, 1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 1],
  ]);
});

test("decode follows transformers: special tokens kept unless skipped, clean-up on by default", async () => {
  const tok = await bertUncased();
  const ids = [101, 7592, 1010, 2088, 999, 2123, 1005, 1056, 102];
  assert.equal(await tok.decode(ids), "[CLS] hello, world! don't [SEP]");
  assert.equal(await tok.decode(ids, { skipSpecialTokens: true }), "hello, world! don't");
  assert.equal(await tok.decode(ids, { cleanUpTokenizationSpaces: false }), "[CLS] hello , world ! don ' t [SEP]");
  assert.deepEqual(await tok.batchDecode([ids, [101, 102]], { skipSpecialTokens: true }), ["hello, world! don't", ""]);
});

test("special-token getters, vocabulary size and model max length", async () => {
  const tok = await bertUncased();
  assert.equal(tok.clsTokenId, 101);
  assert.equal(tok.sepTokenId, 102);
  assert.equal(tok.padTokenId, 0);
  assert.equal(tok.unkTokenId, 100);
  assert.equal(tok.maskTokenId, 103);
  assert.equal(tok.bosTokenId, undefined);
  assert.equal(tok.eosTokenId, undefined);
  assert.equal(tok.vocabSize, 30522);
  assert.equal(tok.modelMaxLength, 512);
  assert.equal(tok.idToToken(7592), "hello");
});

test("padding to max_length and truncation keep [CLS] … [SEP]", async () => {
  const tok = await bertUncased();
  const batch = await tok.batchEncode(["one two three four five six", "one"], {
    padding: "max_length",
    truncation: true,
    maxLength: 5,
  });
  assert.deepEqual(batch.inputIds, [
    [101, 2028, 2048, 2093, 102],
    [101, 2028, 102, 0, 0],
  ]);
  assert.deepEqual(batch.attentionMask, [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
  ]);
  assert.equal(batch.truncated, 1);
});
