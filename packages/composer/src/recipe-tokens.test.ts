import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { bertRecipeTokens } from "./recipe-tokens.js";
import { PARITY, parityDir } from "./test-support/fixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "composer-recipe-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** bert-base-style vocabulary: [PAD] 0, [unused…], [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, then words. */
function bertVocab(size: number): string[] {
  return Array.from({ length: size }, (_, i) =>
    i === 0
      ? "[PAD]"
      : i === 100
        ? "[UNK]"
        : i === 101
          ? "[CLS]"
          : i === 102
            ? "[SEP]"
            : i === 103
              ? "[MASK]"
              : `w${i}`,
  );
}

test("the BERT recipe's tokens come from vocab.txt or tokenizer.json", () => {
  const fromTxt = join(scratch, "txt");
  mkdirSync(fromTxt);
  writeFileSync(join(fromTxt, "vocab.txt"), `${bertVocab(200).join("\n")}\n`);
  assert.deepEqual(bertRecipeTokens(fromTxt), { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 });

  const fromJson = join(scratch, "json");
  mkdirSync(fromJson);
  const vocab = Object.fromEntries(bertVocab(200).map((t, i) => [t, i]));
  writeFileSync(
    join(fromJson, "tokenizer.json"),
    JSON.stringify({ added_tokens: [{ id: 7, content: "[CLS]" }], model: { type: "WordPiece", vocab } }),
  );
  assert.deepEqual(bertRecipeTokens(fromJson), { decoderStartTokenId: 7, eosTokenId: 102, padTokenId: 0 });
  assert.deepEqual(bertRecipeTokens(scratch), {});
});

test(
  "warm-starting a BERT decoder whose folder has a vocabulary sets [CLS] / [SEP] / [PAD]; options win",
  { skip: sharedSkipReason(PARITY) },
  async () => {
    await initBackend();
    const dir = join(scratch, "bert-with-vocab");
    mkdirSync(dir);
    for (const file of ["config.json", "model.safetensors"]) {
      copyFileSync(join(parityDir("bert"), file), join(dir, file));
    }
    writeFileSync(join(dir, "vocab.txt"), `${bertVocab(1000).join("\n")}\n`);
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(dir, dir);
    try {
      assert.deepEqual(model.config.specialTokens(), { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 });
    } finally {
      model.dispose();
    }
    const overridden = await EncoderDecoderModel.fromEncoderDecoderPretrained(dir, dir, { eosTokenId: 5 });
    try {
      assert.equal(overridden.config.eosTokenId, 5);
      assert.equal(overridden.config.decoderStartTokenId, 101);
    } finally {
      overridden.dispose();
    }
  },
);
