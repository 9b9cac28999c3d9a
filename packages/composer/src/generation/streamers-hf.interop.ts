// TextStreamer's chunks against transformers 5's own TextStreamer, on one BERT WordPiece tokenizer made by the
// oracle (words, ## pieces, punctuation, CJK ideographs, special tokens):
//   node --import tsx --test packages/composer/src/generation/streamers-hf.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runOracle } from "@warmstart/test-utils";
import { Tokenizer } from "@warmstart/tokenizers";
import { TextStreamer } from "./streamers.js";

const dir = mkdtempSync(join(tmpdir(), "warmstart-streamer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const vocab = [
  "[PAD]",
  "[UNK]",
  "[CLS]",
  "[SEP]",
  "[MASK]",
  "the",
  "cat",
  "##s",
  "sat",
  ",",
  ".",
  "猫",
  "是",
  "don",
  "'",
  "t",
  "a",
  "##b",
];
const id = (t: string): number => vocab.indexOf(t);
const sentence = ["the", "cat", "##s", "sat", ",", "猫", "是", "don", "'", "t", "a", "##b", "##b", ".", "[SEP]"];
const steps = [[id("[CLS]")], ...sentence.map((t) => [id(t)])];
const cases = [false, true].flatMap((skipPrompt) =>
  [false, true].map((skipSpecial) => ({ steps, skip_prompt: skipPrompt, skip_special_tokens: skipSpecial })),
);

test("TextStreamer emits the same pieces as transformers 5's TextStreamer", async () => {
  const hf = runOracle<{ cases: [string, boolean][][] }>("v5", "streamer_probe.py", { dir, vocab, cases });
  const tokenizer = await Tokenizer.fromPretrained(dir);
  for (const [i, c] of cases.entries()) {
    const pieces: [string, boolean][] = [];
    const streamer = new TextStreamer(tokenizer, {
      skipPrompt: c.skip_prompt,
      decodeOptions: { skipSpecialTokens: c.skip_special_tokens, cleanUpTokenizationSpaces: true },
      onText: (text, end) => void pieces.push([text, end]),
    });
    await streamer.put([c.steps[0]!]);
    for (const step of c.steps.slice(1)) await streamer.put(step);
    await streamer.end();
    assert.deepEqual(pieces, hf.cases[i], JSON.stringify({ skipPrompt: c.skip_prompt, skip: c.skip_special_tokens }));
  }
});
