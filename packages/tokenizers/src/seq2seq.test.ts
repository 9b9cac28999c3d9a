import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenizerError } from "./errors.js";
import { decoderTokenizer, prepareSeq2SeqBatch } from "./seq2seq.js";
import { Tokenizer } from "./tokenizer.js";
import { bertUncased, gpt2 } from "./test-support/vocabs.js";

const SOURCES = ["The quick brown fox jumps over the lazy dog .", "Hello , world !"];
const TARGETS = ["A fox jumps .", "Hello !"];

test("BERT2BERT: the blog's CNN/DailyMail batch (max_length padding, labels -100 on padding)", async () => {
  const bert = await bertUncased();
  const batch = await prepareSeq2SeqBatch(SOURCES, TARGETS, {
    sourceTokenizer: bert,
    targetTokenizer: bert,
    maxSourceLength: 512,
    maxTargetLength: 128,
  });
  assert.deepEqual(
    batch.inputIds.map((row) => row.length),
    [512, 512],
  );
  assert.deepEqual(
    batch.decoderInputIds.map((row) => row.length),
    [128, 128],
  );
  const source = await bert.encode(SOURCES[1] as string);
  assert.deepEqual(batch.inputIds[1]?.slice(0, source.inputIds.length), source.inputIds);
  assert.equal(
    batch.attentionMask[1]?.reduce((a, b) => a + b),
    source.inputIds.length,
  );

  const target = (await bert.encode(TARGETS[0] as string)).inputIds;
  assert.deepEqual(target, [101, 1037, 4419, 14523, 1012, 102]);
  assert.deepEqual(batch.labels[0]?.slice(0, 7), [...target, -100]);
  assert.deepEqual(batch.decoderInputIds[0]?.slice(0, 8), [101, ...target, 0], "labels shifted behind [CLS]");
  assert.deepEqual(batch.decoderAttentionMask[0]?.slice(0, 8), [1, 1, 1, 1, 1, 1, 1, 0]);
  assert.ok(batch.labels[0]?.slice(6).every((id) => id === -100));
  assert.equal(batch.truncatedSources + batch.truncatedTargets, 0);
});

test("unset lengths default to each tokenizer's model_max_length, as Hugging Face truncates; none is an error naming the option", async () => {
  const bert = await bertUncased();
  assert.equal(bert.modelMaxLength, 512);
  const full = await prepareSeq2SeqBatch(SOURCES, TARGETS, { sourceTokenizer: bert });
  assert.deepEqual([full.inputIds[0]?.length, full.labels[0]?.length], [512, 512]);

  // A model with 16 positions: a fixed default of 512 would be refused as larger than the model allows.
  const vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "fox", "jumps", "a", "dog"];
  const small = Tokenizer.fromVocab({ kind: "wordpiece", vocab, modelMaxLength: 16 });
  const long = Array.from({ length: 30 }, () => "the fox").join(" ");
  const batch = await prepareSeq2SeqBatch([long, "a dog"], ["a fox", long], { sourceTokenizer: small });
  assert.deepEqual(
    batch.inputIds.map((row) => row.length),
    [16, 16],
  );
  assert.deepEqual(
    batch.labels.map((row) => row.length),
    [16, 16],
  );
  assert.deepEqual([batch.truncatedSources, batch.truncatedTargets], [1, 1]);

  const unlimited = Tokenizer.fromVocab({ kind: "wordpiece", vocab });
  assert.equal(unlimited.modelMaxLength, Number.POSITIVE_INFINITY);
  await assert.rejects(
    prepareSeq2SeqBatch(["a dog"], ["a fox"], { sourceTokenizer: unlimited, targetTokenizer: small }),
    (error: unknown) =>
      error instanceof TokenizerError &&
      error.code === "MAX_LENGTH_REQUIRED" &&
      /pass maxSourceLength/.test(error.message),
  );
  const limitedSource = await prepareSeq2SeqBatch(["a dog"], ["a fox"], {
    sourceTokenizer: unlimited,
    targetTokenizer: small,
    maxSourceLength: 8,
  });
  assert.deepEqual([limitedSource.inputIds[0]?.length, limitedSource.labels[0]?.length], [8, 16]);
});

test("lengths and padding are configurable and over-long rows are truncated and counted", async () => {
  const bert = await bertUncased();
  const batch = await prepareSeq2SeqBatch(SOURCES, TARGETS, {
    sourceTokenizer: bert,
    maxSourceLength: 8,
    maxTargetLength: 4,
    padding: "longest",
  });
  assert.deepEqual(
    batch.inputIds.map((row) => row.length),
    [8, 8],
  );
  assert.equal(batch.inputIds[0]?.[7], 102);
  assert.equal(batch.truncatedSources, 1);
  assert.deepEqual(batch.labels, [
    [101, 1037, 4419, 102],
    [101, 7592, 999, 102],
  ]);
  assert.deepEqual(batch.decoderInputIds, [
    [101, 101, 1037, 4419],
    [101, 101, 7592, 999],
  ]);
  assert.equal(batch.truncatedTargets, 1);
  await assert.rejects(
    prepareSeq2SeqBatch(SOURCES, TARGETS, { sourceTokenizer: bert, maxSourceLength: 1024 }),
    (error: unknown) => error instanceof TokenizerError && error.code === "MAX_LENGTH_TOO_LARGE",
  );
});

test("BERT2GPT2: GPT-2 decoder inputs start with bos, labels end with eos (never start with it), padding is eos", async () => {
  const [bert, gpt] = [await bertUncased(), await gpt2()];
  const batch = await prepareSeq2SeqBatch(["Hello , world !"], ["Hello, world!"], {
    sourceTokenizer: bert,
    targetTokenizer: gpt,
    maxTargetLength: 8,
  });
  assert.deepEqual(batch.inputIds[0]?.slice(0, 6), [101, 7592, 1010, 2088, 999, 102]);
  assert.deepEqual(batch.labels, [[15496, 11, 995, 0, 50256, -100, -100, -100]]);
  assert.deepEqual(batch.decoderInputIds, [[50256, 15496, 11, 995, 0, 50256, 50256, 50256]], "shifted behind bos");
  assert.deepEqual(batch.decoderAttentionMask, [[1, 1, 1, 1, 1, 1, 0, 0]]);
  assert.equal(gpt.padTokenId, undefined, "the caller's tokenizer is left unchanged");
  assert.equal(await decoderTokenizer(gpt), await decoderTokenizer(gpt), "the adapted tokenizer is built once");
});

test("sources and targets must pair up", async () => {
  const bert = await bertUncased();
  await assert.rejects(
    prepareSeq2SeqBatch(["a", "b"], ["a"], { sourceTokenizer: bert }),
    (error: unknown) =>
      error instanceof TokenizerError &&
      error.code === "BATCH_MISMATCH" &&
      /2 sources but 1 targets/.test(error.message),
  );
  await assert.rejects(
    prepareSeq2SeqBatch(["a"], [7 as unknown as string], { sourceTokenizer: bert }),
    (error: unknown) =>
      error instanceof TokenizerError && error.code === "NOT_A_STRING" && /item 0/.test(error.message),
  );
});
