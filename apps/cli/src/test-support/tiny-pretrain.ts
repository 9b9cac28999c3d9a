import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

/**
 * The `warmstart pretrain` arguments of the end-to-end tests' tiny masked-LM BERT (the `tiny-bert` preset, a
 * 120-word vocabulary trained on `text`, 16-token blocks, batch 4): seconds on 2 cores, saved to `out`. Add
 * `--quiet` / `--json` as a test needs.
 */
export function tinyBertPretrainArgs(
  text: string,
  out: string,
  options: { steps?: number; vocabSize?: number } = {},
): string[] {
  return [
    "pretrain",
    "--objective",
    "mlm",
    "--config",
    "tiny-bert",
    "--text",
    text,
    "--out",
    out,
    "--vocab-size",
    String(options.vocabSize ?? 120),
    "--block-size",
    "16",
    "--batch-size",
    "4",
    "--steps",
    String(options.steps ?? 2),
  ];
}

/**
 * A tiny BERT2BERT made through the binary, as a user would: 120 lines of toy text, `pretrain` (2 steps), then
 * `compose` of that BERT with itself. Returns the composed model's folder (under `dir`); fails on a non-zero exit.
 */
export async function composeTinyBert2Bert(dir: string): Promise<string> {
  const words = ["the cat", "a dog", "my friend", "sat on the mat", "ran to the park", "read a book", ",", "."];
  const lines = Array.from({ length: 120 }, (_, i) =>
    words.map((_, j) => words[(i * 3 + j * 5) % words.length]).join(" "),
  );
  const text = join(dir, "text.txt");
  writeFileSync(text, `${lines.join("\n")}\n`);
  const bert = join(dir, "bert");
  const model = join(dir, "bert2bert");
  const pre = await runCli([...tinyBertPretrainArgs(text, bert), "--quiet"]);
  assert.equal(pre.code, 0, pre.stderr);
  const compose = await runCli(["compose", bert, bert, "--out", model, "--quiet"]);
  assert.equal(compose.code, 0, compose.stderr);
  return model;
}
