import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../test-support/run-cli.js";
import { tinyBertPretrainArgs } from "../test-support/tiny-pretrain.js";

// `warmstart train` as a new user meets it: bad training files, an output folder that already holds a run, the
// input model as the output, two runs at once, and a checkpoint limit. One tiny BERT2BERT, pre-trained and
// composed by the binary once, is trained for a few steps by every case.
const dir = mkdtempSync(join(tmpdir(), "warmstart-train-out-"));
const bert = join(dir, "bert");
const composed = join(dir, "bert2bert");
const pairs = join(dir, "pairs.jsonl");
const textFile = join(dir, "text.txt");

const sentences = [
  "the cat sat",
  "a dog ran",
  "my friend read",
  "the old man ate",
  "her sister sang",
  "the teacher saw",
];
const pair = (i: number): string => JSON.stringify({ source: sentences[i % 6], target: `${sentences[(i + 1) % 6]} .` });

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  writeFileSync(
    textFile,
    `${Array.from({ length: 120 }, (_, i) => `${sentences[i % 6]} and ${sentences[(i + 2) % 6]} .`).join("\n")}\n`,
  );
  writeFileSync(pairs, `${Array.from({ length: 12 }, (_, i) => pair(i)).join("\n")}\n`);
  const pre = await runCli([...tinyBertPretrainArgs(textFile, bert, { steps: 1, vocabSize: 100 }), "--quiet"]);
  assert.equal(pre.code, 0, pre.stderr);
  const compose = await runCli(["compose", bert, bert, "--out", composed, "--quiet"]);
  assert.equal(compose.code, 0, compose.stderr);
});

const budget = ["--batch-size", "4", "--lr", "1e-3", "--logging-steps", "1", "--json"];
const train = (out: string, ...extra: string[]) =>
  runCli(["train", "--model", composed, "--train", pairs, "--out", out, ...budget, ...extra]);

function loggedSteps(out: string): number[] {
  return readFileSync(join(out, "training_log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { step: number }).step);
}

const checkpoints = (out: string): string[] =>
  readdirSync(out)
    .filter((name) => /^checkpoint-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));

test("a malformed line among hundreds stops training naming the file and line (exit 3), or is skipped and counted", async () => {
  const lines = Array.from({ length: 300 }, (_, i) => pair(i));
  lines[156] = '{"source": "the cat sat", "target": ';
  const file = join(dir, "one-bad.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const out = join(dir, "bad-line");
  const refused = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    file,
    "--out",
    out,
    ...budget,
    "--steps",
    "1",
  ]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.ok(refused.stderr.includes(`--train ${file}:157: invalid JSON`), refused.stderr);
  assert.match(refused.stderr, /1 malformed row of 300/);
  assert.match(refused.stderr, /--skip-bad-lines/);
  assert.equal(existsSync(join(out, "model.safetensors")), false, "nothing was trained");
  const skipped = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    file,
    "--out",
    out,
    ...budget,
    "--steps",
    "1",
    "--skip-bad-lines",
  ]);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stderr, /299 rows read, 1 malformed:\n[^\n]*line 157: invalid JSON/);
});

test("rows with an empty source and target are bad rows; a file of only those does not train (exit 3)", async () => {
  const file = join(dir, "empty.jsonl");
  writeFileSync(file, `${Array.from({ length: 5 }, () => JSON.stringify({ source: "", target: "" })).join("\n")}\n`);
  const refused = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    file,
    "--out",
    join(dir, "empty-a"),
    ...budget,
  ]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.ok(
    refused.stderr.includes(`${file}:1: source and target are both empty (5 malformed rows of 5)`),
    refused.stderr,
  );
  const skipped = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    file,
    "--out",
    join(dir, "empty-b"),
    ...budget,
    "--skip-bad-lines",
  ]);
  assert.equal(skipped.code, 3, skipped.stderr);
  assert.match(skipped.stderr, /no usable examples/);
});

test("a binary training file is refused (exit 3) without its bytes reaching the terminal", async () => {
  const file = join(dir, "weights.jsonl");
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x00, 0x01]),
      Buffer.from("SECRET-BYTES"),
      Buffer.alloc(64, 0xff),
    ]),
  );
  const refused = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    file,
    "--out",
    join(dir, "binary"),
    ...budget,
  ]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.ok(refused.stderr.includes(`${file}: this looks like a binary file (a NUL byte at offset 4)`), refused.stderr);
  const printed = refused.stderr + refused.stdout;
  for (const leaked of ["SECRET-BYTES", "\u0000", "\ufffd"]) {
    assert.equal(printed.includes(leaked), false, JSON.stringify(leaked));
  }
});

test("a non-empty --out is refused (exit 2) unless --overwrite, which starts a clean run; --out = --model is refused", async () => {
  const out = join(dir, "earlier");
  const first = await train(out, "--steps", "3", "--save-steps", "1");
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(checkpoints(out), ["checkpoint-1", "checkpoint-2", "checkpoint-3"]);
  const modelBefore = readFileSync(join(out, "model.safetensors"));

  const refused = await train(out, "--steps", "1");
  assert.equal(refused.code, 2, refused.stderr);
  assert.ok(
    refused.stderr.includes(`--out ${out} is not empty (it holds checkpoint-1, checkpoint-2, checkpoint-3`),
    refused.stderr,
  );
  assert.match(refused.stderr, /--overwrite[\s\S]*--resume/);
  assert.ok(readFileSync(join(out, "model.safetensors")).equals(modelBefore), "the earlier run's model is untouched");

  const replaced = await train(out, "--steps", "1", "--save-steps", "1", "--overwrite");
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.deepEqual(
    checkpoints(out),
    ["checkpoint-1"],
    "the earlier run's checkpoints are gone, so --resume cannot pick them",
  );
  assert.deepEqual(loggedSteps(out), [1], "the log holds this run only");

  const contradiction = await train(out, "--steps", "2", "--overwrite", "--resume");
  assert.equal(contradiction.code, 2, contradiction.stderr);

  const ontoInput = await train(composed, "--steps", "1");
  assert.equal(ontoInput.code, 2, ontoInput.stderr);
  assert.ok(ontoInput.stderr.includes(`--out ${composed} is the --model folder`), ontoInput.stderr);

  // compose over the trained folder: refused, and with --overwrite the stale training log goes too.
  const compose = await runCli(["compose", bert, bert, "--out", out, "--quiet"]);
  assert.equal(compose.code, 2, compose.stderr);
  assert.match(compose.stderr, /is not empty/);
  const recompose = await runCli(["compose", bert, bert, "--out", out, "--quiet", "--overwrite"]);
  assert.equal(recompose.code, 0, recompose.stderr);
  assert.equal(existsSync(join(out, "training_log.jsonl")), false);
  assert.deepEqual(checkpoints(out), []);
});

test("a second run on a locked --out is refused naming the holder (exit 1); a stale lock is taken over", async () => {
  const out = join(dir, "locked");
  mkdirSync(out);
  const lock = join(out, ".warmstart-train.lock");
  // This test process stands for a live run holding the folder.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: "2026-01-01T00:00:00.000Z" }));
  const refused = await train(out, "--steps", "1");
  assert.equal(refused.code, 1, refused.stderr);
  assert.ok(
    refused.stderr.includes(
      `${out} is in use by another training run (pid ${process.pid} on ${hostname()}, started 2026-01-01T00:00:00.000Z)`,
    ),
    refused.stderr,
  );
  const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
  writeFileSync(lock, JSON.stringify({ pid: gone, host: hostname(), started: "2026-01-01T00:00:00.000Z" }));
  const taken = await train(out, "--steps", "1");
  assert.equal(taken.code, 0, taken.stderr);
  assert.equal(existsSync(lock), false, "the run lets go of its lock when it ends");
});

test("--save-total-limit keeps the newest checkpoints; a resume logs each step once", async () => {
  const out = join(dir, "limited");
  const limited = await train(out, "--steps", "4", "--save-steps", "1", "--save-total-limit", "2");
  assert.equal(limited.code, 0, limited.stderr);
  assert.deepEqual(checkpoints(out), ["checkpoint-3", "checkpoint-4"]);
  const bad = await train(join(dir, "limit-0"), "--steps", "1", "--save-total-limit", "0");
  assert.equal(bad.code, 2, bad.stderr);

  // A run interrupted after step 4 was logged but before checkpoint-4 was kept: the resume runs step 4 again.
  rmSync(join(out, "checkpoint-4"), { recursive: true });
  const resumed = await train(out, "--steps", "4", "--save-steps", "1", "--resume");
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(loggedSteps(out), [1, 2, 3, 4]);
});
