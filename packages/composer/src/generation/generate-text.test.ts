import assert from "node:assert/strict";
import { test } from "node:test";
import { generate } from "./generate.js";
import { generateText, type TextTokenizer } from "./generate-text.js";
import type { GenerationConfig } from "./configuration.js";
import type { GenerationInputs } from "./model-interface.js";
import { ToyModel } from "./test-support/toy-model.js";

/** Whitespace word tokenizer over a fixed vocabulary; ids 0-2 are special ([PAD], [CLS], [SEP]). */
class WordTokenizer implements TextTokenizer {
  readonly words: string[];
  encodeCalls: unknown[] = [];
  constructor(words: string[]) {
    this.words = words;
  }
  async batchEncode(texts: readonly string[], options: object) {
    this.encodeCalls.push(options);
    const rows = texts.map((t) => [1, ...t.split(" ").map((w) => this.words.indexOf(w)), 2]);
    const width = Math.max(...rows.map((r) => r.length));
    return {
      inputIds: rows.map((r) => [...r, ...Array<number>(width - r.length).fill(0)]),
      attentionMask: rows.map((r) => [...r.map(() => 1), ...Array<number>(width - r.length).fill(0)]),
    };
  }
  async batchDecode(rows: readonly (readonly number[])[], options: { skipSpecialTokens?: boolean }) {
    return rows.map((r) =>
      r
        .filter((id) => !(options.skipSpecialTokens === true && id <= 2))
        .map((id) => this.words[id])
        .join(" "),
    );
  }
}

test("generateText encodes, generates with the options and decodes without special tokens", async () => {
  const tok = new WordTokenizer(["[PAD]", "[CLS]", "[SEP]", "hello", "world"]);
  // The source's first token is [CLS] (1) for every row, so rows differ through the second token only: key on the
  // prefix alone, which the toy model does when no source-specific entry exists.
  const model = new ToyModel(5, { "1": { 3: 0.9, 2: 0.1 }, "1,3": { 4: 0.8, 2: 0.2 }, "1,3,4": { 2: 1 } });
  const generator = {
    generate: (inputs: GenerationInputs, config?: Partial<GenerationConfig>) =>
      generate(model, inputs, { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0, ...config }),
  };
  const out = await generateText(generator, ["hello world", "world"], {
    tokenizer: tok,
    numBeams: 2,
    maxInputLength: 8,
  });
  assert.deepEqual(out, ["hello world", "hello world"]);
  assert.deepEqual(tok.encodeCalls, [{ padding: "longest", truncation: true, maxLength: 8 }]);
  await assert.rejects(generateText(generator, ["x"], {}), /tokenizer/);
});
