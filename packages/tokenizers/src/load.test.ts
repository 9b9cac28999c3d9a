import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AutoTokenizer } from "./auto.js";
import { hasCode } from "./test-support/assertions.js";
import { bertUncased, gpt2, scratchDir } from "./test-support/vocabs.js";
import { Tokenizer } from "./tokenizer.js";

test("save writes the three files and tokenizer.json loads back to the same behaviour", async () => {
  const dir = await scratchDir("saved");
  for (const [name, original] of [
    ["bert", await bertUncased()],
    ["gpt2", await gpt2()],
  ] as const) {
    const out = join(dir, name);
    await original.save(out);
    const config = JSON.parse(await readFile(join(out, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    const map = JSON.parse(await readFile(join(out, "special_tokens_map.json"), "utf8")) as Record<string, unknown>;
    const saved = JSON.parse(await readFile(join(out, "tokenizer.json"), "utf8")) as { model: { type: string } };
    assert.equal(saved.model.type, name === "bert" ? "WordPiece" : "BPE");
    assert.equal(config.model_max_length, original.modelMaxLength);
    assert.equal(map.unk_token, name === "bert" ? "[UNK]" : "<|endoftext|>");

    const loaded = await AutoTokenizer.fromPretrained(out);
    const text = "Crème brûlée: antidisestablishmentarianism, 日本語 😀!";
    assert.deepEqual(
      (await loaded.encode(text, "and a pair")).inputIds,
      (await original.encode(text, "and a pair")).inputIds,
    );
    assert.deepEqual(loaded.specialTokens, original.specialTokens);
    assert.equal(loaded.modelMaxLength, original.modelMaxLength);
    assert.equal(loaded.vocabSize, original.vocabSize);
    assert.equal(loaded.returnsTokenTypeIds, original.returnsTokenTypeIds);
  }
});

test("a tokenizer.json with no configs gets its family's special tokens from the vocabulary", async () => {
  const dir = await scratchDir("bare");
  await (await bertUncased()).save(dir);
  const tok = await Tokenizer.fromFile(join(dir, "tokenizer.json"));
  assert.equal(tok.clsTokenId, undefined, "fromFile alone does not guess roles");
  const folder = join(dir, "only-json");
  await mkdir(folder);
  await writeFile(join(folder, "tokenizer.json"), await readFile(join(dir, "tokenizer.json")));
  const guessed = await AutoTokenizer.fromPretrained(folder);
  assert.equal(guessed.clsTokenId, 101);
  assert.equal(guessed.padTokenId, 0);
  assert.equal(guessed.modelMaxLength, Number.POSITIVE_INFINITY);
});

test("a folder without tokenizer files names the folder and the files looked for", async () => {
  const dir = await scratchDir("empty");
  await writeFile(join(dir, "config.json"), "{}");
  await assert.rejects(
    AutoTokenizer.fromPretrained(dir),
    hasCode(
      "MISSING_FILES",
      new RegExp(
        `${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*tokenizer\\.json.*vocab\\.txt.*vocab\\.json \\+ merges\\.txt`,
      ),
    ),
  );
});

test("unreadable or malformed files are typed errors naming the file", async () => {
  const dir = await scratchDir("broken");
  await writeFile(join(dir, "tokenizer.json"), "{ not json");
  await assert.rejects(AutoTokenizer.fromPretrained(dir), hasCode("INVALID_FILE", /tokenizer\.json: not valid JSON/));
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "Nonsense" } }));
  await assert.rejects(
    AutoTokenizer.fromPretrained(dir),
    hasCode("INVALID_FILE", /not a tokenizer the Rust library can load/),
  );
  await assert.rejects(Tokenizer.fromFile(join(dir, "absent.json")), hasCode("MISSING_FILES", /absent\.json/));
});

test("fromVocab builds a WordPiece tokenizer from a token list", async () => {
  const vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "run", "##ning", ","];
  const tok = Tokenizer.fromVocab({ kind: "wordpiece", vocab, modelMaxLength: 8 });
  const enc = await tok.encode("Unaffable, running?");
  assert.deepEqual(enc.tokens, ["[CLS]", "un", "##aff", "##able", ",", "run", "##ning", "[UNK]", "[SEP]"]);
  assert.deepEqual(enc.inputIds, [2, 5, 6, 7, 10, 8, 9, 1, 3]);
  assert.throws(
    () => Tokenizer.fromVocab({ kind: "wordpiece", vocab: ["a", "b"] }),
    hasCode("MISSING_SPECIAL_TOKEN", /\[UNK\]/),
  );
  assert.throws(
    () => Tokenizer.fromVocab({ kind: "wordpiece", vocab: [...vocab, "un"] }),
    hasCode("INVALID_FILE", /repeats token "un"/),
  );
});

test("a tokenizer.json's own truncation and padding are ignored, as transformers does (all-MiniLM-L6-v2 sets 128)", async () => {
  const dir = await scratchDir("own-padding");
  await (await bertUncased()).save(dir);
  const document = JSON.parse(await readFile(join(dir, "tokenizer.json"), "utf8")) as Record<string, unknown>;
  document.truncation = { max_length: 4, strategy: "LongestFirst", stride: 0 };
  document.padding = {
    strategy: { Fixed: 16 },
    direction: "Right",
    pad_to_multiple_of: null,
    pad_id: 0,
    pad_type_id: 0,
    pad_token: "[PAD]",
  };
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(document));
  const tok = await AutoTokenizer.fromPretrained(dir);
  const text = "the quick brown fox jumps over";
  const plain = await (await bertUncased()).encode(text);
  const encoded = await tok.encode(text);
  assert.deepEqual(encoded.inputIds, plain.inputIds, "neither cut to 4 nor padded to 16");
  assert.ok(encoded.inputIds.length > 4 && encoded.inputIds.length < 16);
  assert.deepEqual(await tok.tokenize(text), await (await bertUncased()).tokenize(text));
  const batch = await tok.batchEncode([text, "a fox"], { padding: "longest" });
  assert.deepEqual(
    batch.inputIds.map((row) => row.length),
    [plain.inputIds.length, plain.inputIds.length],
  );
});
