import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BIN, runCli } from "../test-support/run-cli.js";
import { composeTinyBert2Bert } from "../test-support/tiny-pretrain.js";

// `generate --stream` through the real binary on a tiny BERT2BERT the test makes (2 pre-training steps, composed).
const dir = mkdtempSync(join(tmpdir(), "warmstart-stream-"));
let model = "";
const input = "the cat sat on the mat . a dog ran to the park .\n";

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  model = await composeTinyBert2Bert(dir);
});

interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `performance.now()` of every stdout data event, with its text. */
  chunks: { at: number; text: string }[];
  exitedAt: number;
}

/** Spawns the binary like runCli, recording when each piece of stdout arrives and when the process exits. */
function runTimed(args: readonly string[], stdin: string): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, HF_HUB_OFFLINE: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: { at: number; text: string }[] = [];
    let stderr = "";
    let exitedAt = Number.NaN;
    child.stdout.on("data", (d: Buffer) => chunks.push({ at: performance.now(), text: d.toString() }));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", () => (exitedAt = performance.now()));
    child.on("close", (code) =>
      resolve({ code, stdout: chunks.map((c) => c.text).join(""), stderr, chunks, exitedAt }),
    );
    child.stdin.end(stdin);
  });
}

const budget = ["--max-new-tokens", "24", "--no-repeat-ngram-size", "0"];

test("generate --stream prints the text while generating, and the same text as without --stream", async () => {
  const plain = await runCli(["generate", "--model", model, ...budget], { input });
  assert.equal(plain.code, 0, plain.stderr);
  const streamed = await runTimed(["generate", "--model", model, ...budget, "--stream"], input);
  assert.equal(streamed.code, 0, streamed.stderr);
  assert.equal(streamed.stdout, plain.stdout, "streamed text = non-streamed output (one line)");
  assert.ok(streamed.chunks.length > 0);
  assert.ok(
    streamed.chunks[0]!.at < streamed.exitedAt,
    `first output at ${streamed.chunks[0]!.at.toFixed(1)} ms, exit at ${streamed.exitedAt.toFixed(1)} ms`,
  );
  // Sampling streams too (seeded, so both runs draw the same tokens).
  const sampling = [...budget, "--do-sample", "--seed", "3"];
  const sampledPlain = await runCli(["generate", "--model", model, ...sampling], { input });
  const sampledStream = await runCli(["generate", "--model", model, ...sampling, "--stream"], { input });
  assert.equal(sampledStream.code, 0, sampledStream.stderr);
  assert.equal(sampledStream.stdout, sampledPlain.stdout);
});

test("generate --stream refuses beam search, several inputs, --json and --output with the usage exit code (2)", async () => {
  const beams = await runCli(["generate", "--model", model, "--stream", "--num-beams", "2"], { input });
  assert.equal(beams.code, 2, beams.stderr);
  assert.match(beams.stderr, /--stream cannot be used with --num-beams 2[\s\S]*hint:/);
  const two = await runCli(["generate", "--model", model, "--stream"], { input: `${input}${input}` });
  assert.equal(two.code, 2, two.stderr);
  assert.match(two.stderr, /--stream generates for one input.*2 lines/);
  const json = await runCli(["generate", "--model", model, "--stream", "--json"], { input });
  assert.equal(json.code, 2);
  assert.equal((JSON.parse(json.stdout) as { error: { exitCode: number } }).error.exitCode, 2);
  const output = await runCli(["generate", "--model", model, "--stream", "--output", join(dir, "out.txt")], { input });
  assert.equal(output.code, 2);
  assert.match(output.stderr, /--output/);
  // Beam search asked for by the checkpoint's generation_config.json, not by a flag.
  const configPath = join(model, "generation_config.json");
  const saved = readFileSync(configPath, "utf8");
  try {
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(saved), num_beams: 3 }));
    const stored = await runCli(["generate", "--model", model, "--stream", ...budget], { input });
    assert.equal(stored.code, 2, stored.stderr);
    assert.match(stored.stderr, /beam search[\s\S]*hint: .*--num-beams 1/);
    const overridden = await runCli(["generate", "--model", model, "--stream", "--num-beams", "1", ...budget], {
      input,
    });
    assert.equal(overridden.code, 0, overridden.stderr);
  } finally {
    writeFileSync(configPath, saved);
  }
});
