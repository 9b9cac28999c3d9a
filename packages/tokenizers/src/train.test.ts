import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AutoTokenizer } from "./auto.js";
import { TokenizerError } from "./errors.js";
import { scratchDir } from "./test-support/vocabs.js";
import { trainTokenizer } from "./train.js";

// A small corpus that needs no ../shared: varied enough to learn merges, small enough to be fast.
const CORPUS = Array.from({ length: 300 }, (_, i) => {
  const words = [
    "encoder",
    "decoder",
    "warm",
    "starting",
    "checkpoints",
    "Transformer",
    "café",
    "naïve",
    "split",
    "rephrase",
  ];
  return `${words[i % 10]} ${words[(i * 3) % 10]} sentence number ${i}, with ${words[(i * 7) % 10]}ing and ${i % 4 === 0 ? "unsplittable" : "rephrasing"}.`;
});

test("WordPiece training: specials first, vocabulary size respected, save/load round trip", async () => {
  const dir = await scratchDir("train-wp");
  const tok = await trainTokenizer({
    texts: CORPUS,
    kind: "wordpiece",
    vocabSize: 120,
    modelMaxLength: 64,
    outputDir: dir,
  });
  assert.equal(tok.vocabSize, 120);
  assert.deepEqual(
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map((t) => tok.tokenToId(t)),
    [0, 1, 2, 3, 4],
  );
  assert.equal(tok.padTokenId, 0);
  const text = "Warm starting encoder checkpoints, naïve café.";
  const enc = await tok.encode(text);
  assert.equal(enc.inputIds[0], tok.clsTokenId);
  assert.equal(enc.inputIds.at(-1), tok.sepTokenId);
  assert.ok(
    enc.tokens.some((t) => t.startsWith("##")),
    "a 120-token vocabulary must split some words",
  );
  assert.ok(!enc.inputIds.includes(tok.unkTokenId as number));
  assert.equal(
    await tok.decode(enc.inputIds, { skipSpecialTokens: true }),
    "warm starting encoder checkpoints, naive cafe.",
  );

  const saved = JSON.parse(await readFile(join(dir, "tokenizer.json"), "utf8")) as { model: { type: string } };
  assert.equal(saved.model.type, "WordPiece");
  const loaded = await AutoTokenizer.fromPretrained(dir);
  assert.deepEqual((await loaded.encode(text, "second")).inputIds, (await tok.encode(text, "second")).inputIds);
  assert.equal(loaded.modelMaxLength, 64);
  assert.equal(loaded.maskTokenId, 4);
});

test("a vocabulary size below the alphabet keeps every character, as the Rust trainer does", async () => {
  const tok = await trainTokenizer({ texts: CORPUS, kind: "wordpiece", vocabSize: 10 });
  const tokens = Object.keys(tok.getVocab());
  assert.ok(tok.vocabSize > 10);
  assert.ok(
    tokens.every((t) => [...t.replace(/^##/, "")].length === 1 || t.startsWith("[")),
    "only characters and specials",
  );
  const enc = await tok.encode("warm starting");
  assert.ok(!enc.inputIds.includes(tok.unkTokenId as number));
  assert.equal(await tok.decode(enc.inputIds, { skipSpecialTokens: true }), "warm starting");
});

test("byte-level BPE training covers every byte and round-trips any text exactly", async () => {
  const dir = await scratchDir("train-bpe");
  const tok = await trainTokenizer({
    texts: CORPUS,
    kind: "bpe",
    vocabSize: 400,
    template: "roberta",
    modelMaxLength: 128,
    outputDir: dir,
  });
  assert.equal(tok.vocabSize, 400);
  assert.deepEqual([tok.bosTokenId, tok.padTokenId, tok.eosTokenId, tok.unkTokenId, tok.maskTokenId], [0, 1, 2, 3, 4]);
  const unseen = "Ünïcödé 😀 日本語 never seen\ttabs";
  const enc = await tok.encode(unseen);
  assert.equal(enc.inputIds[0], 0);
  assert.equal(enc.inputIds.at(-1), 2);
  assert.equal(await tok.decode(enc.inputIds, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false }), unseen);
  const common = await tok.encode(" encoder decoder", undefined, { addSpecialTokens: false });
  assert.ok(common.inputIds.length <= 4, `learnt merges should cover frequent words, got ${common.tokens.join("|")}`);

  const loaded = await AutoTokenizer.fromPretrained(dir);
  assert.deepEqual((await loaded.encode(unseen)).inputIds, enc.inputIds);
  assert.equal(loaded.padTokenId, 1);
});

test("training rejects bad options with typed errors", async () => {
  const isCode = (code: string) => (e: unknown) => e instanceof TokenizerError && e.code === code;
  await assert.rejects(trainTokenizer({ kind: "wordpiece", vocabSize: 100 }), isCode("INVALID_OPTION"));
  await assert.rejects(trainTokenizer({ texts: ["a"], kind: "wordpiece", vocabSize: 0 }), isCode("INVALID_OPTION"));
  await assert.rejects(
    trainTokenizer({ texts: ["a", 1 as unknown as string], kind: "bpe", vocabSize: 10 }),
    isCode("NOT_A_STRING"),
  );
  await assert.rejects(
    trainTokenizer({ files: ["/nonexistent/corpus.txt"], kind: "bpe", vocabSize: 10 }),
    isCode("TRAINING_FAILED"),
  );
});

test("the Rust trainer's progress never reaches stdout: stderr with showProgress, nowhere without", async () => {
  const { spawnSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  // The module under test, in a fresh process (tsx, as this test runs): what it writes to fd 1 and 2 is observable.
  const train = fileURLToPath(new URL("./train.ts", import.meta.url));
  const run = (kind: string, showProgress: boolean): { stdout: string; stderr: string; status: number | null } => {
    const script = `import { trainTokenizer } from ${JSON.stringify(train)};
      const texts = Array.from({ length: 200 }, (_, i) => "warm starting sentence " + i + " with checkpoints");
      await trainTokenizer({ texts, kind: ${JSON.stringify(kind)}, vocabSize: 300, showProgress: ${showProgress} });`;
    return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  };
  for (const kind of ["wordpiece", "bpe"]) {
    const shown = run(kind, true);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, "", `${kind}: nothing on stdout`);
    // Without a terminal the binding's bars are bare newlines, one per training phase.
    assert.match(shown.stderr, /^\n+$/, `${kind}: the trainer's output went to stderr`);
    const hidden = run(kind, false);
    assert.equal(hidden.status, 0, hidden.stderr);
    assert.equal(hidden.stdout + hidden.stderr, "", `${kind}: showProgress false prints nothing`);
  }
});
