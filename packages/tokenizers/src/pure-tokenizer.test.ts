// PureTokenizer (the browser entry, pure JS) against Tokenizer (the Rust library through N-API): loaded from the
// files the native tokenizer saves, exactly as the browser gets them, both must give the same answer to every call
// (ids, attention masks, token types, tokens, truncation, padding, decoding, errors) over the parity corpus.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { PureTokenizer } from "./browser.js";
import type { EncodeOptions, TextInput } from "./encode-policy.js";
import { parityCorpus } from "./test-support/parity-corpus.js";
import { bertUncasedVocabLines, gpt2Files, scratchDir } from "./test-support/vocabs.js";
import { Tokenizer } from "./tokenizer.js";
import { trainTokenizer } from "./train.js";
import { parseMerges } from "./vocab.js";

const CORPUS = parityCorpus();

/** Training text for the small trained tokenizers: the corpus's Latin part, so many corpus characters stay unknown. */
const TRAINING_TEXTS = Array.from(
  { length: 200 },
  (_, i) =>
    `Warm starting encoder decoder checkpoints, sentence ${i}: Café naïve résumé; the model's ${i % 7} outputs ` +
    `and THE TRAINING DATA. Don't stop, it's ${3.5 * i}% done!`,
);

/** The files a browser would fetch for `tokenizer`, read back as parsed JSON. */
async function pureTwin(tokenizer: Tokenizer, name: string): Promise<PureTokenizer> {
  const dir = await scratchDir(`pure-${name.replace(/\W+/g, "-")}`);
  await tokenizer.save(dir);
  const read = async (file: string): Promise<unknown> => JSON.parse(await readFile(join(dir, file), "utf8"));
  return PureTokenizer.fromFiles({
    tokenizer: await read("tokenizer.json"),
    tokenizerConfig: await read("tokenizer_config.json"),
    specialTokensMap: await read("special_tokens_map.json"),
  });
}

async function nativeTokenizers(): Promise<[string, Tokenizer][]> {
  const bertVocab = await bertUncasedVocabLines();
  const { vocabJson, mergesTxt } = await gpt2Files();
  const gpt2Vocab = JSON.parse(vocabJson) as Record<string, number>;
  const merges = parseMerges(mergesTxt, "merges.txt");
  const gpt2 = Tokenizer.fromVocab({ kind: "bpe", vocab: gpt2Vocab, merges, template: "gpt2", modelMaxLength: 1024 });
  return [
    [
      "trained WordPiece, lower-cased",
      await trainTokenizer({ texts: TRAINING_TEXTS, kind: "wordpiece", vocabSize: 300, modelMaxLength: 64 }),
    ],
    [
      "trained WordPiece, cased",
      await trainTokenizer({
        texts: TRAINING_TEXTS,
        kind: "wordpiece",
        vocabSize: 300,
        lowercase: false,
        modelMaxLength: 64,
      }),
    ],
    [
      "bert-base-uncased vocabulary",
      Tokenizer.fromVocab({ kind: "wordpiece", vocab: bertVocab, lowercase: true, modelMaxLength: 512 }),
    ],
    [
      "bert-base-uncased vocabulary, cased, accents kept",
      Tokenizer.fromVocab({ kind: "wordpiece", vocab: bertVocab, lowercase: false, modelMaxLength: 512 }),
    ],
    ["GPT-2 byte-level BPE", gpt2],
    ["GPT-2, <|endoftext|> as pad token", gpt2.withSpecialTokens({ padToken: "<|endoftext|>" })],
    ["GPT-2 with a TemplateProcessing template", gpt2.withTemplate("<|endoftext|> $A <|endoftext|>")],
    [
      "RoBERTa-style byte-level BPE (GPT-2 vocabulary)",
      Tokenizer.fromVocab({ kind: "bpe", vocab: gpt2Vocab, merges, template: "roberta", modelMaxLength: 512 }),
    ],
    [
      "trained byte-level BPE, RoBERTa template",
      await trainTokenizer({
        texts: TRAINING_TEXTS,
        kind: "bpe",
        vocabSize: 400,
        template: "roberta",
        modelMaxLength: 128,
      }),
    ],
  ];
}

type Outcome = { value: unknown } | { code: string };

/** A call's result, or the code of the TokenizerError it threw, so that failures are compared too. */
async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await run() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    return { code };
  }
}

/** Corpus texts as batch inputs: singles, and pairs of neighbouring texts. */
function batchInputs(texts: readonly string[], pairs: boolean): TextInput[] {
  return texts.map((text, i) => (pairs ? ([text, texts[(i + 1) % texts.length] as string] as const) : text));
}

const tokenizers = await nativeTokenizers();

for (const [name, native] of tokenizers) {
  describe(`PureTokenizer = Tokenizer: ${name}`, async () => {
    const pure = await pureTwin(native, name);

    test("same vocabulary, special tokens, settings and template sizes", async () => {
      assert.equal(pure.vocabSize, native.vocabSize);
      assert.deepEqual(pure.getVocab(), native.getVocab());
      assert.deepEqual(pure.settings, native.settings);
      const roles = (t: Tokenizer | PureTokenizer) => [
        t.clsTokenId,
        t.sepTokenId,
        t.padTokenId,
        t.bosTokenId,
        t.eosTokenId,
        t.unkTokenId,
        t.maskTokenId,
        t.returnsTokenTypeIds,
      ];
      assert.deepEqual(roles(pure), roles(native));
      assert.equal(await pure.numSpecialTokensToAdd(false), await native.numSpecialTokensToAdd(false));
      assert.equal(await pure.numSpecialTokensToAdd(true), await native.numSpecialTokensToAdd(true));
      for (let id = 0; id < native.vocabSize; id += 97) assert.equal(pure.idToToken(id), native.idToToken(id));
      assert.equal(pure.tokenToId("no such token, surely"), undefined);
    });

    test(`encodes all ${CORPUS.length} corpus texts alike: ids, mask, token types, tokens`, async () => {
      const variants: EncodeOptions[] = [{}, { returnTokenTypeIds: true, addSpecialTokens: false }];
      for (const [i, text] of CORPUS.entries()) {
        assert.deepEqual(await pure.tokenize(text), await native.tokenize(text), `tokenize ${JSON.stringify(text)}`);
        for (const options of variants) {
          assert.deepEqual(
            await pure.encode(text, undefined, options),
            await native.encode(text, undefined, options),
            `encode ${JSON.stringify(text)} ${JSON.stringify(options)}`,
          );
        }
        const pair = CORPUS[(i * 7 + 3) % CORPUS.length] as string;
        assert.deepEqual(
          await pure.encode(text, pair, { returnTokenTypeIds: true }),
          await native.encode(text, pair, { returnTokenTypeIds: true }),
          `encode pair ${JSON.stringify([text, pair])}`,
        );
      }
    });

    test("truncates and pads batches alike (singles and pairs, longest_first)", async () => {
      const specials = await native.numSpecialTokensToAdd(true);
      const lengths = [specials + 2, 5, 9, 16, 40];
      const hasPad = native.padTokenId !== undefined;
      for (const pairs of [false, true]) {
        // Every other text: native truncation re-encodes each over-long row, which is what takes the time.
        const inputs = batchInputs(
          CORPUS.filter((_, i) => i % 2 === 0),
          pairs,
        );
        for (const maxLength of lengths) {
          const optionSets: EncodeOptions[] = [
            { truncation: true, maxLength, returnTokenTypeIds: true },
            { truncation: true, maxLength, addSpecialTokens: false },
            ...(hasPad
              ? [
                  { truncation: true, maxLength, padding: "max_length" as const },
                  { truncation: true, maxLength, padding: "longest" as const, returnTokenTypeIds: true },
                ]
              : []),
          ];
          for (const options of optionSets) {
            assert.deepEqual(
              await outcome(() => pure.batchEncode(inputs, options)),
              await outcome(() => native.batchEncode(inputs, options)),
              `batchEncode ${pairs ? "pairs" : "singles"} ${JSON.stringify(options)}`,
            );
          }
        }
        // Padding alone, and the model's own limit as the default maxLength.
        for (const options of [{ padding: "longest" as const }, { truncation: true }]) {
          assert.deepEqual(
            await outcome(() => pure.batchEncode(inputs, options)),
            await outcome(() => native.batchEncode(inputs, options)),
            `batchEncode ${JSON.stringify(options)}`,
          );
        }
      }
      // A limit too small for the template, or over the model's, fails the same way.
      for (const maxLength of [1, specials, native.modelMaxLength + 1]) {
        const options = { truncation: true, maxLength };
        assert.deepEqual(
          await outcome(() => pure.batchEncode([["a long first text here", "and a second one"]], options)),
          await outcome(() => native.batchEncode([["a long first text here", "and a second one"]], options)),
          `maxLength ${maxLength}`,
        );
      }
    });

    test("decodes alike: corpus encodings and random ids, with and without special tokens and clean-up", async () => {
      const encoded = (await native.batchEncode(CORPUS)).inputIds;
      for (const options of [
        {},
        { skipSpecialTokens: true },
        { cleanUpTokenizationSpaces: false },
        { skipSpecialTokens: true, cleanUpTokenizationSpaces: false },
      ]) {
        assert.deepEqual(
          await pure.batchDecode(encoded, options),
          await native.batchDecode(encoded, options),
          `batchDecode ${JSON.stringify(options)}`,
        );
      }
      const random = new SeededRandom(7);
      const specialIds = Object.values(native.getVocab()).filter((id) => id < 8);
      for (let i = 0; i < 300; i++) {
        const ids = Array.from({ length: random.int(12) }, () =>
          random.float() < 0.2 ? (specialIds[random.int(specialIds.length)] as number) : random.int(native.vocabSize),
        );
        for (const skipSpecialTokens of [false, true]) {
          assert.equal(
            await pure.decode(ids, { skipSpecialTokens }),
            await native.decode(ids, { skipSpecialTokens }),
            `decode [${ids.join(", ")}] skipSpecialTokens=${skipSpecialTokens}`,
          );
        }
      }
    });

    test("rejects bad input with the same error codes", async () => {
      const calls: [string, (t: Tokenizer | PureTokenizer) => Promise<unknown>][] = [
        ["decode -100", (t) => t.decode([1, -100])],
        ["decode past the vocabulary", (t) => t.decode([t.vocabSize])],
        ["decode a non-integer", (t) => t.decode([1.5])],
        ["encode a number", (t) => t.encode(5 as unknown as string)],
        ["batchEncode a one-item pair", (t) => t.batchEncode(["a", ["b"] as unknown as [string, string]])],
        ["batchDecode a non-array", (t) => t.batchDecode("ids" as unknown as number[][])],
        ["maxLength 0", (t) => t.encode("a", undefined, { truncation: true, maxLength: 0 })],
      ];
      for (const [what, call] of calls) {
        assert.deepEqual(await outcome(() => call(pure)), await outcome(() => call(native)), what);
      }
    });
  });
}

test("withTemplate and withSpecialTokens on the pure tokenizer match the native ones", async () => {
  const [, bert] = tokenizers.find(([name]) => name === "bert-base-uncased vocabulary") as [string, Tokenizer];
  const pure = await pureTwin(bert, "bert-template");
  const template = "[CLS] $A [SEP] [SEP]:1";
  const pair = "[CLS] $A [SEP] $B:1 [SEP]:1 [MASK]:1";
  const texts: TextInput[] = [["Warm starting", "is cheap"], "Ελληνικά ΣΑΣ", ["", ""]];
  const options = { returnTokenTypeIds: true, truncation: true, maxLength: 7 };
  assert.deepEqual(
    await pure.withTemplate(template, pair).batchEncode(texts, options),
    await bert.withTemplate(template, pair).batchEncode(texts, options),
  );
  const swapped = { padToken: "[MASK]", unkToken: "[UNK]" };
  assert.deepEqual(
    await pure.withSpecialTokens(swapped).batchEncode(texts, { padding: "longest" }),
    await bert.withSpecialTokens(swapped).batchEncode(texts, { padding: "longest" }),
  );
  assert.throws(
    () => pure.withSpecialTokens({ padToken: "<nowhere>" }),
    (error: { code?: string }) => error.code === "MISSING_SPECIAL_TOKEN",
  );
});

test("fromFiles names the file and what it expected", () => {
  assert.throws(
    () => PureTokenizer.fromFiles({ tokenizer: [] }),
    (error: Error & { code?: string }) =>
      error.code === "INVALID_FILE" &&
      /tokenizer\.json: expected a tokenizer.json object with a "model" field/.test(error.message),
  );
  assert.throws(
    () => PureTokenizer.fromFiles({ tokenizer: { model: { type: "WordPiece", vocab: {} } }, tokenizerConfig: "x" }),
    (error: Error & { code?: string }) =>
      error.code === "INVALID_FILE" && /tokenizer_config\.json: expected a JSON object/.test(error.message),
  );
  assert.throws(
    () =>
      PureTokenizer.fromFiles({
        tokenizer: {
          model: { type: "WordPiece", vocab: { a: 0 }, unk_token: "a" },
          post_processor: { type: "Mystery" },
        },
      }),
    (error: Error & { code?: string }) =>
      error.code === "INVALID_FILE" && /"Mystery" is not supported/.test(error.message),
  );
});
