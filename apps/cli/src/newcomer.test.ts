import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BIN, runCli } from "./test-support/run-cli.js";
import { tinyBertPretrainArgs } from "./test-support/tiny-pretrain.js";

// The cases a newcomer's first hour ran into (issue 20), each through the built binary with the exit code and the
// message the README documents. One tiny BERT pre-trained by the CLI and composed into BERT2BERT serves them all.
const dir = mkdtempSync(join(tmpdir(), "warmstart-newcomer-"));
const bert = join(dir, "bert");
const composed = join(dir, "bert2bert");
const textFile = join(dir, "text.txt");
const pairs = join(dir, "pairs.jsonl");

const subjects = ["the cat", "a dog", "my friend", "the old man", "her sister", "the teacher"];
const verbs = ["sat on the mat", "ran to the park", "read a book", "ate the bread", "saw the river", "sang a song"];
const tinyTrain = ["--batch-size", "4", "--max-source-length", "16", "--max-target-length", "16"];

after(() => rmSync(dir, { recursive: true, force: true }));

let pretrainRun: Awaited<ReturnType<typeof runCli>>;

before(async () => {
  const lines = Array.from(
    { length: 120 },
    (_, i) => `${subjects[i % 6]} ${verbs[(i * 5 + 1) % 6]} , but ${subjects[(i + 2) % 6]} ${verbs[(i + 3) % 6]} .`,
  );
  writeFileSync(textFile, `${lines.join("\n")}\n`);
  const examples = lines.slice(0, 8).map((line) => ({ source: line.replace(" , but ", " . "), target: line }));
  writeFileSync(pairs, `${examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
  // --steps 1: the summary line must say "1 step", not "1 steps".
  pretrainRun = await runCli(tinyBertPretrainArgs(textFile, bert, { steps: 1 }));
  assert.equal(pretrainRun.code, 0, pretrainRun.stderr);
  const compose = await runCli(["compose", bert, bert, "--out", composed]);
  assert.equal(compose.code, 0, compose.stderr);
});

/** A copy of the composed model in a fresh folder, for a test to damage. */
function modelCopy(name: string): string {
  const copy = join(dir, name);
  cpSync(composed, copy, { recursive: true });
  return copy;
}

test("pretrain: stdout holds only the result (no tokenizer-trainer blank lines), counted in the right number; one final progress line", () => {
  assert.match(pretrainRun.stdout, /^pre-trained bert for 1 step on \d+ blocks; final loss \d/);
  assert.doesNotMatch(pretrainRun.stdout, /1 steps/);
  assert.equal(pretrainRun.stdout.split("\n").length, 2, JSON.stringify(pretrainRun.stdout));
  // Off a terminal the bar prints a plain line per 10 %; the last one (1/1) once, not again at finish.
  assert.equal(pretrainRun.stderr.match(/pretrain bert \(mlm\) {2}1\/1 {2}100%/g)?.length, 1, pretrainRun.stderr);
  assert.match(pretrainRun.stderr, /^\[\d\d:\d\d\] backend: \w+/m, "the backend is named before the work starts");
  assert.ok(
    pretrainRun.stderr.indexOf("backend:") < pretrainRun.stderr.indexOf("pretrain bert (mlm)"),
    "the backend line comes first",
  );
});

test("--quiet silences logs, progress, the backend line and the tokenizer trainer: nothing on stderr", async () => {
  const out = join(dir, "quiet-bert");
  const run = await runCli([...tinyBertPretrainArgs(textFile, out), "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /^pre-trained bert for 2 steps/);
});

test("exit codes as the README's table: malformed model files 3, missing config or weights 4", async () => {
  const corrupt = modelCopy("corrupt");
  truncateSync(join(corrupt, "model.safetensors"), 100);
  const damaged = await runCli(["generate", "--model", corrupt], { input: "the cat sat .\n" });
  assert.equal(damaged.code, 3, damaged.stderr);
  assert.match(damaged.stderr, /model\.safetensors: .*\n {2}hint: the weights file is truncated or damaged/);

  const noConfig = modelCopy("no-config");
  rmSync(join(noConfig, "config.json"));
  const missingConfig = await runCli(["generate", "--model", noConfig], { input: "the cat sat .\n" });
  assert.equal(missingConfig.code, 4, missingConfig.stderr);
  assert.match(missingConfig.stderr, /no config at ".*no-config\/config\.json"/);

  const noWeights = modelCopy("no-weights");
  rmSync(join(noWeights, "model.safetensors"));
  const missingWeights = await runCli(["generate", "--model", noWeights], { input: "the cat sat .\n" });
  assert.equal(missingWeights.code, 4, missingWeights.stderr);
  assert.match(missingWeights.stderr, /no model\.safetensors/);

  const notJson = modelCopy("generation-not-json");
  writeFileSync(join(notJson, "generation_config.json"), '{"num_beams": 2');
  const unparsable = await runCli(["generate", "--model", notJson, "--json"], { input: "the cat sat .\n" });
  assert.equal(unparsable.code, 3, unparsable.stderr);
  const error = (JSON.parse(unparsable.stdout) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, "ComposerError.INVALID_GENERATION_CONFIG");
  assert.match(error.message, /generation-not-json\/generation_config\.json is not valid JSON/);

  const outOfRange = modelCopy("generation-out-of-range");
  writeFileSync(join(outOfRange, "generation_config.json"), JSON.stringify({ num_beams: -3, eos_token_id: 3 }));
  const stored = await runCli(["generate", "--model", outOfRange], { input: "the cat sat .\n" });
  assert.equal(stored.code, 3, `a stored bad value is a bad model file, not a usage error: ${stored.stderr}`);
  assert.match(stored.stderr, /generation-out-of-range\/generation_config\.json: numBeams \(num_beams\) must be/);
  // The same value on the command line is the usage error (commander rejects it before any model is loaded).
  const flag = await runCli(["generate", "--model", composed, "--num-beams", "0"], { input: "the cat sat .\n" });
  assert.equal(flag.code, 2, flag.stderr);
});

test("exit codes: usage 2, missing input 3, Hub refused offline 5, success 0", async () => {
  const unknown = await runCli(["generate", "--model", composed, "--no-such-flag"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--no-such-flag'/);
  const missing = await runCli(["generate", "--model", composed, "--input", join(dir, "absent.txt")]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /--input: no such file/);
  const emptyCache = join(dir, "empty-hf-home");
  mkdirSync(emptyCache);
  const offline = await runCli(["inspect", "some-org/not-cached-model"], {
    env: { HF_HUB_OFFLINE: "1", HF_HOME: emptyCache },
  });
  assert.equal(offline.code, 5, offline.stderr);
  assert.match(offline.stderr, /some-org\/not-cached-model/);
  const ok = await runCli(["inspect", composed, "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("exit code 130 on Ctrl-C (SIGINT) during long work", async () => {
  const child = spawn(
    process.execPath,
    // Far more steps than the test waits for: the run is still working when the signal comes.
    [
      BIN,
      "train",
      "--model",
      composed,
      "--train",
      pairs,
      "--out",
      join(dir, "interrupted"),
      ...tinyTrain,
      "--steps",
      "100000",
    ],
    { env: { ...process.env, HF_HUB_OFFLINE: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  // Sent once the command has said it is working (the backend line), so the handler is certainly installed.
  child.stderr.on("data", (chunk: Buffer) => {
    const first = stderr === "" || !stderr.includes("backend:");
    stderr += chunk.toString();
    if (first && stderr.includes("backend:")) child.kill("SIGINT");
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /warmstart: interrupted/);
});

test("train: '1 step', the backend first, and warnings naming both options for --steps with --epochs and a warm-up past the end", async () => {
  const out = join(dir, "trained");
  const run = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    pairs,
    "--out",
    out,
    ...tinyTrain,
    "--steps",
    "1",
    "--epochs",
    "3",
    "--warmup-steps",
    "500",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^trained for 1 step; final loss/);
  assert.match(
    run.stderr,
    /warmstart: warning: --steps 1 overrides --epochs 3 \(as max_steps overrides num_train_epochs in transformers\)/,
  );
  assert.match(run.stderr, /warmstart: warning: --warmup-steps 500 is longer than the training \(1 step/);
  assert.match(run.stderr, /backend: \w+/);
  // Warnings are kept under --quiet (an option given is overridden); everything else goes.
  const quiet = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    pairs,
    "--out",
    join(dir, "trained-quiet"),
    ...tinyTrain,
    "--steps",
    "2",
    "--warmup-steps",
    "500",
    "--quiet",
  ]);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(
    quiet.stderr,
    "warmstart: warning: --warmup-steps 500 is longer than the training (2 steps, from --steps or --epochs): the learning rate rises for the whole run and never reaches --lr 0.00005\n",
  );
});

test("generate: --min-length above --max-length is a usage error naming both; a cut at the default length is warned about once", async () => {
  const conflict = await runCli(["generate", "--model", composed, "--min-length", "100", "--max-length", "10"], {
    input: "the cat sat .\n",
  });
  assert.equal(conflict.code, 2, conflict.stderr);
  assert.match(conflict.stderr, /--min-length 100 is more than --max-length 10/);

  // --min-length 30 forbids eos within transformers' default 20 new tokens: every output is cut at the limit.
  const input = "the cat sat .\na dog ran .\n";
  const cut = await runCli(["generate", "--model", composed, "--min-length", "30"], { input });
  assert.equal(cut.code, 0, cut.stderr);
  assert.equal(cut.stdout.trimEnd().split("\n").length, 2);
  const warnings = cut.stderr.match(/warmstart: warning: .*/g) ?? [];
  assert.equal(warnings.length, 1, cut.stderr);
  assert.match(
    warnings[0] ?? "",
    /2 of 2 outputs stopped at the default length limit \(20 new tokens.*pass --max-new-tokens N \(or --max-length N\)/,
  );
  assert.match(cut.stderr, /backend: \w+/);
  // A length the user chose is not warned about, even when every output reaches it.
  const chosen = await runCli(["generate", "--model", composed, "--min-length", "30", "--max-new-tokens", "5"], {
    input,
  });
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.doesNotMatch(chosen.stderr, /warning/);
});

test("compose of two random parts with --out refuses to write a folder without a tokenizer unless told to", async () => {
  const part = `rnd:${join(bert, "config.json")}`;
  const out = join(dir, "rnd2rnd");
  const refused = await runCli(["compose", part, part, "--out", out]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /both random: no checkpoint to take a tokenizer from/);
  assert.match(refused.stderr, /hint: pass --tokenizer <dir\|id> .*or --no-tokenizer/);
  assert.ok(!existsSync(out), "nothing written");
  const bare = await runCli(["compose", part, part, "--out", out, "--no-tokenizer"]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.ok(existsSync(join(out, "model.safetensors")) && !existsSync(join(out, "tokenizer.json")));
  const withTokenizer = await runCli(["compose", part, part, "--out", join(dir, "rnd2rnd-tok"), "--tokenizer", bert]);
  assert.equal(withTokenizer.code, 0, withTokenizer.stderr);
  assert.ok(existsSync(join(dir, "rnd2rnd-tok", "tokenizer.json")));
});

test("demo: writes to the cache folder by default (not the working directory), naming it and the backend", async () => {
  const cache = join(dir, "xdg-cache");
  const cwd = join(dir, "cwd");
  mkdirSync(cwd);
  const run = await runCli(
    [
      "demo",
      "--quick",
      "--compositions",
      "Rnd2Rnd",
      "--steps",
      "1",
      "--documents",
      "10",
      "--train-examples",
      "2",
      "--test-examples",
      "1",
    ],
    { cwd, env: { XDG_CACHE_HOME: cache } },
  );
  assert.equal(run.code, 0, run.stderr);
  const out = join(cache, "warmstart", "demo");
  assert.deepEqual(readdirSync(cwd), [], "nothing in the working directory");
  assert.ok(existsSync(join(out, "results.json")) && existsSync(join(out, "models", "Rnd2Rnd", "config.json")));
  assert.match(
    run.stderr,
    new RegExp(`writing data, models and results to ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
  );
  assert.match(run.stderr, /backend: \w+/);
  assert.match(run.stdout, /\(backend \w+\); models in .*warmstart\/demo\/models\n$/);
  // No pre-training on the clock: the bundled checkpoints are named, and --steps is the fine-tuning budget.
  assert.match(run.stderr, /checkpoints: bundled with warmstart \(.*checkpoints\/, see PROVENANCE\.md\)\n/);
  assert.doesNotMatch(run.stderr, /pre-training/);
  assert.match(run.stderr, /fine-tune Rnd2Rnd\s+1\/1\s/);
  const help = await runCli(["generate", "--help"]);
  assert.doesNotMatch(help.stdout, /demo-output/);
  assert.match(help.stdout, /--model ~\/\.cache\/warmstart\/demo\/models\/BERTShare/);
  assert.match((await runCli(["demo", "--help"])).stdout, /default:\s+~\/\.cache\/warmstart\/demo/);
});
