import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../test-support/run-cli.js";

const NAMES = ["Rnd2Rnd", "BERT2Rnd", "BERT2BERT", "BERTShare", "BERT2GPT2"];

// Acceptance 1 at a CI budget: the README's first command, end to end through the binary, with the budget
// flags turned down (2 steps of each training, 60 corpus documents, 2 scored test examples).
test("demo runs end to end and saves the paper-style table as JSON and Markdown", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = await runCli([
    "demo",
    "--quick",
    "--steps",
    "2",
    "--documents",
    "60",
    "--train-examples",
    "16",
    "--test-examples",
    "2",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as {
    compositions: {
      name: string;
      sari: number;
      rouge2: number;
      predictions: string[];
      parameters: { total: number; leveraged: number; random: number; tied: number };
    }[];
    data: { scored: number };
    files: string[];
  };
  assert.deepEqual(
    result.compositions.map((c) => c.name),
    NAMES,
  );
  assert.equal(result.data.scored, 2);
  const byName = new Map(result.compositions.map((c) => [c.name, c]));
  assert.equal(byName.get("Rnd2Rnd")?.parameters.leveraged, 0);
  assert.ok((byName.get("BERTShare")?.parameters.tied ?? 0) > 0);
  assert.ok((byName.get("BERTShare")?.parameters.total ?? 0) < (byName.get("BERT2BERT")?.parameters.total ?? 0));
  for (const c of result.compositions) {
    assert.ok(c.sari >= 0 && c.sari <= 100 && c.rouge2 >= 0 && c.rouge2 <= 100, c.name);
    assert.equal(c.predictions.length, 2);
  }
  const markdown = readFileSync(join(out, "results.md"), "utf8");
  assert.match(markdown, /\| model \| random \| leveraged \| total \| SARI \| ROUGE-2 \| train loss \|/);
  for (const name of NAMES) assert.match(markdown, new RegExp(`\\| ${name} \\|`));
  assert.match(markdown, /## Examples[\s\S]*- reference: /);
  assert.ok(existsSync(join(out, "results.json")));
  assert.match(run.stderr, /expected about \d/);
  for (const name of NAMES) assert.ok(existsSync(join(out, "models", name, "model.safetensors")), `${name} saved`);
});

test("demo --compositions runs only the named compositions, pre-training GPT-2 only for BERT2GPT2", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const flags = ["--steps", "2", "--documents", "60", "--train-examples", "16", "--test-examples", "2", "--out", out];
  const run = await runCli(["demo", "--quick", "--compositions", "Rnd2Rnd,BERT2BERT", ...flags, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as {
    compositions: { name: string }[];
    pretraining: { bert: { steps: number }; gpt2: unknown };
  };
  assert.deepEqual(
    result.compositions.map((c) => c.name),
    ["Rnd2Rnd", "BERT2BERT"],
  );
  assert.equal(result.pretraining.bert.steps, 2);
  assert.equal(result.pretraining.gpt2, null);
  assert.ok(!existsSync(join(out, "models", "gpt2")), "GPT-2 not pre-trained");
  assert.doesNotMatch(readFileSync(join(out, "results.md"), "utf8"), /GPT-2 \d+ steps/);
});

test("demo --compositions rejects unknown names", async () => {
  const run = await runCli(["demo", "--quick", "--compositions", "Rnd2Rnd,BERT2Bert"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /unknown composition "BERT2Bert"; use a comma-separated list of Rnd2Rnd, BERT2Rnd, BERT2BERT/,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
});
