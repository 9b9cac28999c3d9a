import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../test-support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "warmstart-eval-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, lines: string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
  return path;
};
const sources = file("src.txt", ["About 95 species are currently accepted .", "The cat sat . It slept ."]);
const predictions = file("pred.txt", ["About 95 species are currently known .", "The cat sat and slept ."]);
const references = file("ref.txt", ["About 95 species are currently known .", "The cat sat , and it slept ."]);
const references2 = file("ref2.txt", ["95 species are known .", "The cat sat but slept ."]);
const short = file("short.txt", ["only one line"]);

/** Line-aligned predictions, references and sources. */
const aligned = ["--predictions", predictions, "--references", references, "--sources", sources];

interface Scores {
  ok: boolean;
  examples: number;
  scores: Record<string, number>;
}

test("evaluate rouge, bleu, sari and exact match from files, as JSON", async () => {
  const { code, stdout } = await runCli(["evaluate", "--metric", "rouge,bleu,sari,exact-match", ...aligned, "--json"]);
  assert.equal(code, 0);
  const result = JSON.parse(stdout) as Scores;
  assert.equal(result.examples, 2);
  assert.equal(result.scores.exact_match, 50);
  for (const key of ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "sari"]) {
    const value = result.scores[key] as number;
    assert.ok(value > 0 && value <= 100, `${key} = ${value}`);
  }
  // The first prediction equals its reference: a perfect copy scores 100 on its own.
  const perfect = JSON.parse(
    (await runCli(["evaluate", "--metric", "bleu", "--predictions", references, "--references", references, "--json"]))
      .stdout,
  ) as Scores;
  assert.ok(Math.abs((perfect.scores.bleu as number) - 100) < 1e-9, `BLEU of a copy: ${perfect.scores.bleu}`);
});

test("several reference files give several references per example; predictions can come from stdin", async () => {
  const one = JSON.parse(
    (
      await runCli([
        "evaluate",
        "--metric",
        "rouge",
        "--predictions",
        predictions,
        "--references",
        references2,
        "--json",
      ])
    ).stdout,
  ) as Scores;
  const two = JSON.parse(
    (
      await runCli(
        ["evaluate", "--metric", "rouge", "--predictions", "-", "--references", references, references2, "--json"],
        { input: "About 95 species are currently known .\nThe cat sat and slept .\n" },
      )
    ).stdout,
  ) as Scores;
  assert.ok((two.scores.rouge2 as number) > (one.scores.rouge2 as number), "the best of two references scores higher");
  const text = await runCli(["evaluate", "--metric", "sari", ...aligned]);
  assert.match(text.stdout, /^sari +\d+\.\d\d\n$/);
});

test("evaluate errors: mismatched lines (3), missing file (3), SARI without sources (2), unknown metric (2), no inputs (2)", async () => {
  const mismatch = await runCli(["evaluate", "--metric", "rouge", "--predictions", predictions, "--references", short]);
  assert.equal(mismatch.code, 3);
  assert.match(mismatch.stderr, /has 1 line but --predictions has 2\n {2}hint: the files must be line-aligned/);
  const missing = await runCli([
    "evaluate",
    "--metric",
    "rouge",
    "--predictions",
    join(dir, "nope.txt"),
    "--references",
    references,
  ]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /--predictions: no such file/);
  const sari = await runCli(["evaluate", "--metric", "sari", "--predictions", predictions, "--references", references]);
  assert.equal(sari.code, 2);
  assert.match(sari.stderr, /hint: add --sources FILE/);
  const metric = await runCli([
    "evaluate",
    "--metric",
    "meteor",
    "--predictions",
    predictions,
    "--references",
    references,
  ]);
  assert.equal(metric.code, 2);
  const nothing = await runCli(["evaluate", "--metric", "rouge"]);
  assert.equal(nothing.code, 2);
});
