import assert from "node:assert/strict";
import { test } from "node:test";
import { hasCode } from "./test-support/assertions.js";
import { bertUncased } from "./test-support/vocabs.js";
import { Tokenizer } from "./tokenizer.js";

test("non-string items are rejected with the index named", async () => {
  const tok = await bertUncased();
  await assert.rejects(
    tok.batchEncode(["fine", 42 as unknown as string, "fine"]),
    hasCode("NOT_A_STRING", /item 1 .*number 42/),
  );
  await assert.rejects(
    tok.batchEncode([
      ["a", "b"],
      ["c", null as unknown as string],
    ]),
    hasCode("NOT_A_STRING", /item 1, second text/),
  );
  await assert.rejects(tok.batchEncode("not an array" as unknown as string[]), hasCode("NOT_A_STRING"));
  await assert.rejects(tok.encode(undefined as unknown as string), hasCode("NOT_A_STRING", /text must be a string/));
});

test("maxLength beyond the model's limit is an error, not a silent overflow", async () => {
  const tok = await bertUncased();
  await assert.rejects(
    tok.batchEncode(["a"], { truncation: true, maxLength: 513 }),
    hasCode("MAX_LENGTH_TOO_LARGE", /513.*512/),
  );
  await assert.rejects(tok.batchEncode(["a"], { maxLength: 0 }), hasCode("INVALID_OPTION"));
  await assert.rejects(tok.batchEncode(["a b c"], { truncation: true, maxLength: 2 }), hasCode("MAX_LENGTH_TOO_SMALL"));
  const unlimited = Tokenizer.fromVocab({
    kind: "wordpiece",
    vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"],
  });
  await assert.rejects(unlimited.batchEncode(["a"], { truncation: true }), hasCode("MAX_LENGTH_REQUIRED"));
});

test("truncation happens only when asked, and the result counts truncated rows", async () => {
  const tok = await bertUncased();
  const long = Array.from({ length: 600 }, () => "word").join(" ");
  const untouched = await tok.batchEncode([long, "short"]);
  assert.equal(untouched.inputIds[0]?.length, 602);
  assert.equal(untouched.truncated, 0);
  const noTruncation = await tok.batchEncode([long], { maxLength: 10 });
  assert.equal(noTruncation.inputIds[0]?.length, 602, "maxLength alone does not truncate");
  const cut = await tok.batchEncode([long, "short", long], { truncation: true });
  assert.deepEqual(
    cut.inputIds.map((row) => row.length),
    [512, 3, 512],
  );
  assert.equal(cut.truncated, 2);
  assert.equal(cut.inputIds[0]?.[511], 102, "the template's [SEP] survives truncation");
});

test("decode rejects ids that are not vocabulary ids, naming the position", async () => {
  const tok = await bertUncased();
  await assert.rejects(tok.decode([101, -100, 102]), hasCode("BAD_TOKEN_ID", /index 1 .*-100.*replace the -100/));
  await assert.rejects(tok.decode([101, 30522]), hasCode("BAD_TOKEN_ID", /index 1/));
  await assert.rejects(tok.batchDecode([[101], [1.5]]), hasCode("BAD_TOKEN_ID", /row 1: index 0/));
});
