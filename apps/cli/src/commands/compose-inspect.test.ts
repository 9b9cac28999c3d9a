import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../test-support/run-cli.js";

interface ComposeJson {
  ok: boolean;
  total: number;
  leveraged: number;
  random: number;
  tied: number;
}

test("acceptance 3: compose bert-base-uncased bert-base-uncased --dry-run --json totals 247,363,386 offline", async () => {
  const { code, stdout } = await runCli(["compose", "bert-base-uncased", "bert-base-uncased", "--dry-run", "--json"]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as ComposeJson;
  assert.equal(report.total, 247363386);
  assert.equal(report.random + report.leveraged, report.total);
  assert.equal(report.tied, 0);
});

test("compose --tie --dry-run gives BERTShare's 137,298,244 and a readable report", async () => {
  const { code, stdout } = await runCli(["compose", "bert-base-cased", "bert-base-cased", "--tie", "--dry-run"]);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /total 137,298,244 parameters: 108,931,396 leveraged, 28,366,848 random \(107,719,680 decoder parameters tied/,
  );
  assert.match(stdout, /random: .*crossattention/);
});

test("compose rnd parts: Rnd2GPT2 matches the paper table's row", async () => {
  const { code, stdout } = await runCli(["compose", "rnd", "gpt2", "--dry-run", "--json"]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as ComposeJson;
  assert.deepEqual([report.random, report.leveraged, report.total], [136677120, 124439808, 261116928]);
});

test("acceptance 3: inspect --paper-table prints the nine compositions from the shipped configs", async () => {
  const { code, stdout } = await runCli(["inspect", "--paper-table"]);
  assert.equal(code, 0);
  const rows = stdout.split("\n").filter((l) => /^\| [A-Za-z0-9]+ \|/.test(l) && !l.startsWith("| composition"));
  assert.deepEqual(
    rows.map((r) => r.split("|")[1]?.trim()),
    [
      "Rnd2Rnd",
      "Rnd2BERT",
      "BERT2Rnd",
      "Rnd2GPT2",
      "BERT2BERT",
      "BERTShare",
      "RoBERTaShare",
      "BERT2GPT2",
      "RoBERTa2GPT2",
    ],
  );
  assert.match(
    stdout,
    /\| BERT2BERT \| 28,366,848 \(28\.4M\) \| 216,651,076 \(216\.7M\) \| 245,017,924 \(245\.0M\) \| 0 \|/,
  );
  const json = JSON.parse((await runCli(["inspect", "--paper-table", "--json"])).stdout) as {
    rows: { name: string; total: number }[];
  };
  assert.equal(json.rows.length, 9);
  assert.equal(json.rows.find((r) => r.name === "BERTShare")?.total, 137298244);
});

test("inspect a shipped config: summary and component table; --json has the total", async () => {
  const text = await runCli(["inspect", "bert-base-cased"]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /hidden_size: 768/);
  assert.match(text.stdout, /encoder\.layer\.\* +×12/);
  const json = JSON.parse((await runCli(["inspect", "gpt2", "--json"])).stdout) as { total: number; modelType: string };
  assert.equal(json.modelType, "gpt2");
  assert.equal(json.total, 124439808);
});

test("errors: unknown model type (4), dry-run of a non-shipped id (4), --paper-table with a model (2)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "warmstart-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const t5 = join(dir, "t5");
  mkdirSync(t5);
  writeFileSync(join(t5, "config.json"), JSON.stringify({ model_type: "t5", d_model: 8 }));
  const unknown = await runCli(["inspect", t5]);
  assert.equal(unknown.code, 4);
  assert.match(
    unknown.stderr,
    /unknown model type "t5"[\s\S]*hint: supported model types: bert, roberta, gpt2, encoder-decoder/,
  );
  const hub = await runCli(["compose", "facebook/bart-base", "gpt2", "--dry-run"]);
  assert.equal(hub.code, 4);
  assert.match(hub.stderr, /--dry-run needs a local folder or a shipped config/);
  const both = await runCli(["inspect", "gpt2", "--paper-table"]);
  assert.equal(both.code, 2);
  const out = await runCli(["compose", "gpt2", "gpt2", "--dry-run", "--out", dir]);
  assert.equal(out.code, 2);
});
