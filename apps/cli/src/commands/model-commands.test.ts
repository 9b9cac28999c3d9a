import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../test-support/run-cli.js";
import { tinyBertPretrainArgs } from "../test-support/tiny-pretrain.js";

// One tiny BERT pre-trained by the CLI, composed into BERT2BERT, trained, then used by generate and evaluate:
// every model command through the real binary, sharing the (slow) pre-training.
const dir = mkdtempSync(join(tmpdir(), "warmstart-models-"));
const bert = join(dir, "bert");
const composed = join(dir, "bert2bert");
const trained = join(dir, "trained");
const textFile = join(dir, "text.txt");
const pairs = join(dir, "pairs.jsonl");
const inputs = join(dir, "inputs.txt");

const subjects = ["the cat", "a dog", "my friend", "the old man", "her sister", "the teacher"];
const verbs = ["sat on the mat", "ran to the park", "read a book", "ate the bread", "saw the river", "sang a song"];

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const lines: string[] = [];
  for (let i = 0; i < 240; i++) {
    lines.push(`${subjects[i % 6]} ${verbs[(i * 5 + 1) % 6]} , but ${subjects[(i + 2) % 6]} ${verbs[(i + 3) % 6]} .`);
  }
  writeFileSync(textFile, `${lines.join("\n")}\n`);
  const examples = lines.slice(0, 12).map((line) => ({ source: line.replace(" , but ", " . "), target: line }));
  writeFileSync(pairs, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
  writeFileSync(
    inputs,
    examples
      .slice(0, 3)
      .map((e) => e.source)
      .join("\n") + "\n",
  );
  const pre = await runCli([...tinyBertPretrainArgs(textFile, bert), "--json"]);
  assert.equal(pre.code, 0, pre.stderr);
  const result = JSON.parse(pre.stdout) as { steps: number; finalLoss: number };
  assert.equal(result.steps, 2);
  assert.ok(Number.isFinite(result.finalLoss));
});

test("pretrain wrote a Hub-layout folder that inspect reads", async () => {
  for (const f of ["config.json", "model.safetensors"]) assert.ok(existsSync(join(bert, f)), f);
  const { code, stdout } = await runCli(["inspect", bert, "--json"]);
  assert.equal(code, 0);
  const info = JSON.parse(stdout) as { modelType: string; parameterSource: string; summary: { hidden_size: number } };
  assert.equal(info.modelType, "bert");
  assert.equal(info.parameterSource, "checkpoint");
  assert.equal(info.summary.hidden_size, 64);
});

test("compose → train → generate → evaluate --model on the pre-trained tiny BERT", async () => {
  const compose = await runCli(["compose", bert, bert, "--out", composed, "--json"]);
  assert.equal(compose.code, 0, compose.stderr);
  const report = JSON.parse(compose.stdout) as { random: number; leveraged: number; saved: { tokenizers: string[] } };
  assert.ok(
    report.random > 0 && report.leveraged > report.random,
    "BERT2BERT: most weights leveraged, cross-attention random",
  );
  assert.deepEqual(report.saved.tokenizers, [composed]);
  const dry = JSON.parse((await runCli(["compose", bert, bert, "--dry-run", "--json"])).stdout) as {
    random: number;
    total: number;
  };
  assert.equal(dry.random, report.random, "the dry run counts what loading does");

  const inspect = JSON.parse((await runCli(["inspect", composed, "--json"])).stdout) as {
    modelType: string;
    total: number;
  };
  assert.equal(inspect.modelType, "encoder-decoder");
  assert.ok(inspect.total > report.leveraged);

  const trainArgs = ["train", "--model", composed, "--train", pairs, "--eval", pairs, "--out", trained];
  const budget = ["--batch-size", "4", "--lr", "1e-3", "--save-steps", "1", "--json"];
  const train = await runCli([...trainArgs, ...budget, "--steps", "2"]);
  assert.equal(train.code, 0, train.stderr);
  assert.equal((JSON.parse(train.stdout) as { globalStep: number }).globalStep, 2);
  assert.ok(existsSync(join(trained, "model.safetensors")));
  // --resume continues from the latest checkpoint in --out: only the third step runs.
  const resumed = await runCli([...trainArgs, ...budget, "--steps", "3", "--resume"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const after = JSON.parse(resumed.stdout) as { globalStep: number; losses: number[] };
  assert.equal(after.globalStep, 3);
  assert.equal(after.losses.length, 1);

  const generate = await runCli(["generate", "--model", trained, "--input", "-", "--max-length", "8", "--json"], {
    input: readFileSync(inputs, "utf8"),
  });
  assert.equal(generate.code, 0, generate.stderr);
  const outputs = (JSON.parse(generate.stdout) as { outputs: { input: string; output: string }[] }).outputs;
  assert.equal(outputs.length, 3);
  assert.ok(outputs.every((o) => typeof o.output === "string"));
  const plain = await runCli([
    "generate",
    "--model",
    trained,
    "--input",
    inputs,
    "--num-beams",
    "2",
    "--max-length",
    "6",
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(
    plain.stdout.split("\n").filter((l, i, all) => i < all.length - 1 || l !== "").length,
    3,
    "one output line per input line",
  );

  const evaluate = await runCli([
    "evaluate",
    "--metric",
    "sari,rouge",
    "--model",
    trained,
    "--data",
    pairs,
    "--max-length",
    "8",
    "--json",
  ]);
  assert.equal(evaluate.code, 0, evaluate.stderr);
  const scores = JSON.parse(evaluate.stdout) as { examples: number; scores: Record<string, number> };
  assert.equal(scores.examples, 12);
  assert.ok(Number.isFinite(scores.scores.sari) && Number.isFinite(scores.scores.rouge2));
});

test("model command errors: wrong column (3), not an encoder-decoder (4), no tokenizer (4), missing data (3), bad objective (2)", async () => {
  const column = await runCli([
    "train",
    "--model",
    bert,
    "--train",
    pairs,
    "--source-column",
    "text",
    "--out",
    join(dir, "x"),
  ]);
  assert.equal(column.code, 3, column.stderr);
  assert.match(column.stderr, /text/);
  const notComposed = await runCli(["generate", "--model", bert, "--input", inputs]);
  assert.equal(notComposed.code, 4);
  assert.match(notComposed.stderr, /not an encoder-decoder[\s\S]*hint: compose one first/);
  const noTokenizer = join(dir, "bare");
  assert.equal((await runCli(["compose", bert, bert, "--out", noTokenizer])).code, 0);
  for (const f of ["tokenizer.json", "vocab.txt", "vocab.json"]) rmSync(join(noTokenizer, f), { force: true });
  const missingTokenizer = await runCli(["generate", "--model", noTokenizer, "--input", inputs]);
  assert.equal(missingTokenizer.code, 4);
  assert.match(missingTokenizer.stderr, /no tokenizer files[\s\S]*--tokenizer/);
  const missingData = await runCli([
    "train",
    "--model",
    composed,
    "--train",
    join(dir, "none.jsonl"),
    "--out",
    join(dir, "y"),
  ]);
  assert.equal(missingData.code, 3);
  assert.match(missingData.stderr, /--train: no such file/);
  const objective = await runCli([
    "pretrain",
    "--objective",
    "clm",
    "--config",
    "tiny-bert",
    "--text",
    textFile,
    "--out",
    join(dir, "z"),
  ]);
  assert.equal(objective.code, 2);
  assert.match(objective.stderr, /clm pre-trains GPT-2/);
  const maskedCausal = await runCli([
    "pretrain",
    "--objective",
    "clm",
    "--config",
    "tiny-gpt2",
    "--mlm-probability",
    "0.4",
    "--text",
    textFile,
    "--out",
    join(dir, "w"),
  ]);
  assert.equal(maskedCausal.code, 2, "a masking rate is never silently ignored");
  assert.match(maskedCausal.stderr, /--mlm-probability applies to --objective mlm only/);
});
