import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenizerError } from "./errors.js";
import { gpt2 } from "./test-support/vocabs.js";

test("gpt2 encodes the issue's known ids and adds no special tokens", async () => {
  const tok = await gpt2();
  const enc = await tok.encode("Hello, world!");
  assert.deepEqual(enc.inputIds, [15496, 11, 995, 0]);
  assert.deepEqual(enc.tokens, ["Hello", ",", "Ġworld", "!"]);
  assert.equal(enc.tokenTypeIds, undefined);
});

test("byte-level BPE round-trips accents, emoji, CJK and whitespace runs exactly", async () => {
  const tok = await gpt2();
  for (const text of [
    "Crème brûlée, naïve café",
    "emoji 😀👍🏽 and 日本語",
    "  two  spaces\tand\ttabs\n\nnew lines  ",
    " leading space",
  ]) {
    const ids = (await tok.encode(text)).inputIds;
    assert.equal(await tok.decode(ids, { cleanUpTokenizationSpaces: false }), text);
  }
  assert.deepEqual((await tok.encode(" Hello")).inputIds, [18435]);
});

test("<|endoftext|> in text is the special token, and skipSpecialTokens drops it", async () => {
  const tok = await gpt2();
  const ids = (await tok.encode("Hi<|endoftext|>there")).inputIds;
  assert.deepEqual(ids, [17250, 50256, 8117]);
  assert.equal(await tok.decode(ids), "Hi<|endoftext|>there");
  assert.equal(await tok.decode(ids, { skipSpecialTokens: true }), "Hithere");
});

test("gpt2 getters: bos = eos = unk = 50256, no pad token, 1024 positions", async () => {
  const tok = await gpt2();
  assert.equal(tok.bosTokenId, 50256);
  assert.equal(tok.eosTokenId, 50256);
  assert.equal(tok.unkTokenId, 50256);
  assert.equal(tok.padTokenId, undefined);
  assert.equal(tok.clsTokenId, undefined);
  assert.equal(tok.vocabSize, 50257);
  assert.equal(tok.modelMaxLength, 1024);
});

test("padding GPT-2 needs a pad token; eos as pad is the usual choice", async () => {
  const tok = await gpt2();
  await assert.rejects(tok.batchEncode(["a", "b c"], { padding: "longest" }), (error: unknown) => {
    assert.ok(error instanceof TokenizerError);
    assert.equal(error.code, "NO_PAD_TOKEN");
    return true;
  });
  const padded = await tok
    .withSpecialTokens({ padToken: "<|endoftext|>" })
    .batchEncode(["Hello", "Hello, world!"], { padding: "longest" });
  assert.deepEqual(padded.inputIds, [
    [15496, 50256, 50256, 50256],
    [15496, 11, 995, 0],
  ]);
  assert.deepEqual(padded.attentionMask, [
    [1, 0, 0, 0],
    [1, 1, 1, 1],
  ]);
});

test("withTemplate wraps sequences in bos … eos, and truncation leaves room for them", async () => {
  const tok = (await gpt2()).withTemplate("<|endoftext|> $A <|endoftext|>");
  assert.equal(await tok.numSpecialTokensToAdd(), 2);
  assert.deepEqual((await tok.encode("Hello, world!")).inputIds, [50256, 15496, 11, 995, 0, 50256]);
  const cut = await tok.encode("Hello, world!", undefined, { truncation: true, maxLength: 4 });
  assert.deepEqual(cut.inputIds, [50256, 15496, 11, 50256]);
  assert.equal(cut.truncated, true);
});
