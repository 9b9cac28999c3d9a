import assert from "node:assert/strict";
import { test } from "node:test";
import { AutoTokenizer } from "./auto.js";
import { scratchDir, writeRobertaFolder } from "./test-support/vocabs.js";

// The test folder shifts GPT-2's ids by 4 (RoBERTa keeps <s> <pad> </s> <unk> at 0-3), so the
// expected ids are GPT-2's known "Hello, world!" ids + 4 inside RoBERTa's template.
const HELLO_WORLD = [15496, 11, 995, 0].map((id) => id + 4);

test("RoBERTa folder (vocab.json + merges.txt) gets the <s> … </s> template", async () => {
  const tok = await AutoTokenizer.fromPretrained(await writeRobertaFolder(await scratchDir("roberta")));
  const enc = await tok.encode("Hello, world!");
  assert.deepEqual(enc.inputIds, [0, ...HELLO_WORLD, 2]);
  assert.equal(enc.tokenTypeIds, undefined);
  assert.equal(tok.bosTokenId, 0);
  assert.equal(tok.padTokenId, 1);
  assert.equal(tok.eosTokenId, 2);
  assert.equal(tok.unkTokenId, 3);
  assert.equal(tok.clsTokenId, 0);
  assert.equal(tok.sepTokenId, 2);
  assert.equal(tok.maskTokenId, 50261);

  const pair = await tok.encode("Hello, world!", "Hello, world!", { returnTokenTypeIds: true });
  assert.deepEqual(pair.inputIds, [0, ...HELLO_WORLD, 2, 2, ...HELLO_WORLD, 2]);
  assert.deepEqual(pair.tokenTypeIds, new Array(pair.inputIds.length).fill(0));
  assert.equal(await tok.decode(pair.inputIds, { skipSpecialTokens: true }), "Hello, world!Hello, world!");

  const masked = await tok.encode("Hello <mask>!");
  // <mask> absorbs the space before it (lstrip), so no stray "Ġ" token appears.
  assert.deepEqual(masked.inputIds, [0, 15496 + 4, 50261, 0 + 4, 2]);
});
