/*
 * Guarantee: HF_TOKEN never appears in logs, errors, saved configs or the JSONL training log. A
 * sentinel token (and a wrong one, which the test hub echoes back in its 401 body) goes through a
 * download in a child process, a load from the Hub, a save and a training run; then every captured
 * stream and every file written is searched for either token.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { resolveModel } from "@warmstart/hub";
import { repoFilesFromDir, startTestHub, type TestHub } from "@warmstart/hub/testing";
import { startChild } from "./test-support/child.js";
import { createTally } from "./test-support/tally.js";
import { tinyModel, tinySetup, tinyTrainer, type TinySetup } from "./test-support/tiny.js";

const tally = createTally("secrets");
const TOKEN = `hf_faultsSentinel${randomBytes(12).toString("hex")}`;
const WRONG = `hf_faultsWrong${randomBytes(12).toString("hex")}`;
let root: string;
let hub: TestHub;
let setup: TinySetup;
const streams: string[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-secrets-"));
  setup = await tinySetup();
  const model = await tinyModel(setup, 1);
  await model.savePretrained(join(root, "served"));
  model.dispose();
  hub = await startTestHub({
    token: TOKEN,
    repos: [{ id: "faults/secret", files: await repoFilesFromDir(join(root, "served")) }],
  });
});

after(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

/** Every file below `dir` (links followed), as text. */
function everyFile(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    try {
      if (statSync(full).isFile()) out.push([full, readFileSync(full, "latin1")]);
    } catch {
      // a dangling link holds nothing to leak
    }
  }
  return out;
}

/** Everything an error exposes: message, string form, own fields and its causes. */
function errorText(error: unknown, depth = 0): string {
  if (depth > 5 || error === null || error === undefined) return "";
  if (!(error instanceof Error)) return String(error);
  const fields = Object.getOwnPropertyNames(error).map(
    (k) => `${k}=${String((error as unknown as Record<string, unknown>)[k])}`,
  );
  return [String(error), error.stack ?? "", ...fields, errorText(error.cause, depth + 1)].join("\n");
}

test("a download, a load, a save and a training run with HF_TOKEN set leak the token nowhere", async () => {
  const cacheDir = join(root, "cache");
  // 1. A download in a child process that takes the token from HF_TOKEN.
  const child = startChild("download.ts", [hub.url, cacheDir, "faults/secret"], { HF_TOKEN: TOKEN });
  await child.waitForLine(/^folder /, 60_000);
  await child.exited;
  streams.push(child.output());
  // 2. A wrong token: the hub echoes it in its 401 body; the error must not carry it on.
  const wrong = startChild("download.ts", [hub.url, join(root, "cache-wrong"), "faults/secret"], { HF_TOKEN: WRONG });
  const { code } = await wrong.exited;
  assert.notEqual(code, 0, "a wrong token must fail");
  streams.push(wrong.output());
  try {
    await resolveModel("faults/secret", {
      hubUrl: hub.url,
      cacheDir: join(root, "cache-wrong2"),
      token: WRONG,
      retries: 0,
    });
    assert.fail("a wrong token must fail");
  } catch (error) {
    streams.push(errorText(error));
  }
  // 3. A load from the Hub, a save, and a training run with a JSONL log, all with HF_TOKEN in the environment.
  const previous = process.env.HF_TOKEN;
  process.env.HF_TOKEN = TOKEN;
  try {
    const model = await EncoderDecoderModel.fromPretrained("faults/secret", { hub: { hubUrl: hub.url, cacheDir } });
    try {
      await model.savePretrained(join(root, "saved"));
      const lines: string[] = [];
      await tinyTrainer(setup, model, {
        outputDir: join(root, "run"),
        saveSteps: 1,
        maxSteps: 2,
        log: (line) => lines.push(line),
      }).train();
      streams.push(lines.join("\n"));
    } finally {
      model.dispose();
    }
  } finally {
    if (previous === undefined) delete process.env.HF_TOKEN;
    else process.env.HF_TOKEN = previous;
  }
  const leaks: string[] = [];
  for (const [i, text] of streams.entries()) {
    tally.hostileInputsTried += 1;
    for (const token of [TOKEN, WRONG]) {
      if (text.includes(token)) leaks.push(`stream ${i} holds a token: ${text.slice(0, 300)}`);
    }
  }
  for (const dir of ["cache", "cache-wrong", "cache-wrong2", "saved", "run"]) {
    let files: Array<[string, string]> = [];
    try {
      files = everyFile(join(root, dir));
    } catch {
      continue;
    }
    for (const [path, text] of files) {
      tally.filesFuzzed += 1;
      for (const token of [TOKEN, WRONG]) if (text.includes(token)) leaks.push(`${path} holds a token`);
    }
  }
  tally.leakedTokens += leaks.length;
  assert.ok(readdirSync(join(root, "run")).includes("training_log.jsonl"), "the training log was written and searched");
  assert.deepEqual(leaks, []);
});
