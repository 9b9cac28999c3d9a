import assert from "node:assert/strict";
import { test } from "node:test";
import { spawn } from "node:child_process";
import { BIN, runCli } from "./test-support/run-cli.js";

const COMMANDS = ["demo", "compose", "inspect", "convert", "pretrain", "train", "generate", "evaluate", "doctor"];

test("--help lists every command and the exit codes, and exits 0", async () => {
  const { code, stdout } = await runCli(["--help"]);
  assert.equal(code, 0);
  for (const name of COMMANDS) assert.match(stdout, new RegExp(`^  ${name}\\b`, "m"), name);
  assert.match(stdout, /Exit codes:/);
  assert.match(stdout, /warmstart demo --quick/);
});

test("every command's --help has examples and the common flags", async () => {
  for (const name of COMMANDS) {
    const { code, stdout } = await runCli([name, "--help"]);
    assert.equal(code, 0, name);
    assert.match(stdout, /Examples:\n {2}\$ .*warmstart /, name);
    assert.match(stdout, /--json/, name);
    assert.match(stdout, /--verbose/, name);
  }
});

test("usage errors exit 2 with a pointer to --help", async () => {
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: warmstart/);
  const unknown = await runCli(["fly"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'fly'/);
  const option = await runCli(["inspect", "gpt2", "--colour"]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--colour'[\s\S]*--help/);
  const missing = await runCli(["compose", "bert-base-cased"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument 'decoder'/);
});

test("an option out of range is a usage error that names the option and the range", async () => {
  const beams = await runCli(["generate", "--model", "x", "--num-beams", "0"]);
  assert.equal(beams.code, 2);
  assert.match(beams.stderr, /--num-beams.*'0' is invalid.*between 1 and 64/);
  const topP = await runCli(["generate", "--model", "x", "--top-p", "1.5"]);
  assert.equal(topP.code, 2);
  assert.match(topP.stderr, /--top-p.*at most 1/);
  const lr = await runCli(["train", "--model", "x", "--train", "t", "--out", "o", "--lr", "abc"]);
  assert.equal(lr.code, 2);
  assert.match(lr.stderr, /--lr.*expected a number/);
});

test("errors are one line plus a hint, with the stack only under --verbose, and JSON under --json", async () => {
  const plain = await runCli(["inspect", "./no/such/model"]);
  assert.equal(plain.code, 3);
  assert.match(plain.stderr, /^warmstart: error: no model folder at "\.\/no\/such\/model"\n {2}hint: /);
  assert.doesNotMatch(plain.stderr, /\n\s+at /, "no stack trace without --verbose");
  const verbose = await runCli(["inspect", "./no/such/model", "--verbose"]);
  assert.match(verbose.stderr, /\n\s+at /);
  const json = await runCli(["inspect", "./no/such/model", "--json"]);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; exitCode: number; hint: string } };
  assert.equal(parsed.ok, false);
  assert.equal(parsed.error.code, "CliError.FILE_NOT_FOUND");
  assert.equal(parsed.error.exitCode, 3);
});

test("output piped to a reader that stops early (| head) ends quietly, not with an EPIPE stack trace", async () => {
  const child = spawn(process.execPath, [BIN, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // The reader goes away before the help is written.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
  assert.equal(code, 0, stderr);
});
