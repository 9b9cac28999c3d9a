import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BIN, runCli } from "../test-support/run-cli.js";
import { composeTinyBert2Bert } from "../test-support/tiny-pretrain.js";

// `warmstart serve` through the real binary on a tiny BERT2BERT the test makes (2 pre-training steps, composed).
const dir = mkdtempSync(join(tmpdir(), "warmstart-serve-"));
let model = "";

after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  model = await composeTinyBert2Bert(dir);
});

interface Server {
  child: ChildProcessWithoutNullStreams;
  address: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `warmstart serve --port 0 ...` and resolves once it prints the address it listens on. */
function startServer(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "--model", model, "--port", "0", ...args], {
      env: { ...process.env, HF_HUB_OFFLINE: "1", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found !== null) resolve({ child, address: found[1]!, stderr: () => stderr, exited });
    });
    child.on("error", reject);
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}

async function generate(address: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${address}/v1/generate`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { outputs: { text: string }[]; error: { code: string } } };
}

const inputs = ["the cat sat on the mat .", "a dog ran to the park . my friend read a book ."];

test("serve answers as `warmstart generate` does, and drains on SIGTERM: requests in flight finish, exit 0", async () => {
  const server = await startServer(["--max-batch", "4"]);
  const cli = await runCli(["generate", "--model", model, "--max-new-tokens", "30", "--num-beams", "2", "--quiet"], {
    input: `${inputs.join("\n")}\n`,
  });
  assert.equal(cli.code, 0, cli.stderr);
  const expected = cli.stdout.trimEnd().split("\n");
  const alone = await Promise.all(
    inputs.map((text) => generate(server.address, { inputs: text, max_new_tokens: 30, num_beams: 2 })),
  );
  assert.deepEqual(
    alone.map((r) => r.json.outputs[0]!.text),
    expected,
  );
  const health = (await (await fetch(`${server.address}/health`)).json()) as { status: string };
  assert.equal(health.status, "ok");
  // A burst, then SIGTERM once every request of it is in flight: all of them finish, then the process exits 0.
  let answered = 0;
  const burst = Array.from({ length: 12 }, (_, i) =>
    generate(server.address, { inputs: inputs[i % 2], max_new_tokens: 30, num_beams: 2 }).then((r) => {
      answered++;
      return r;
    }),
  );
  // Every request of the burst has arrived (answered, or in flight) and some are still running.
  for (;;) {
    const h = (await (await fetch(`${server.address}/health`)).json()) as { in_flight: number };
    if (answered === burst.length || (h.in_flight + answered === burst.length && h.in_flight > 0)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  server.child.kill("SIGTERM");
  const answers = await Promise.all(burst);
  assert.deepEqual(
    answers.map((a) => a.status),
    burst.map(() => 200),
  );
  answers.forEach((a, i) => assert.equal(a.json.outputs[0]!.text, expected[i % 2]));
  assert.equal(await server.exited, 0, server.stderr());
  const drained = /(\d+) request\(s\) in flight finished, 0 cut off/.exec(server.stderr());
  assert.ok(drained !== null, server.stderr());
  await assert.rejects(fetch(`${server.address}/health`));
});

test("--api-key-env guards every route but /health and the key is never logged", async () => {
  const key = "k3y-that-must-not-leak";
  const server = await startServer(["--api-key-env", "SERVE_TEST_KEY", "--verbose"], { SERVE_TEST_KEY: key });
  assert.equal((await fetch(`${server.address}/health`)).status, 200);
  assert.equal((await fetch(`${server.address}/v1/model`)).status, 401);
  const denied = await generate(server.address, { inputs: "the cat" });
  assert.equal(denied.status, 401);
  assert.equal(denied.json.error.code, "UNAUTHORIZED");
  const ok = await generate(
    server.address,
    { inputs: "the cat", max_new_tokens: 4 },
    { authorization: `Bearer ${key}` },
  );
  assert.equal(ok.status, 200);
  const info = await fetch(`${server.address}/v1/model`, { headers: { "x-api-key": key } });
  const body = (await info.json()) as { backend: string; warm_start: { leveraged: number } };
  assert.equal(typeof body.backend, "string");
  assert.ok(body.warm_start.leveraged > 0);
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0);
  assert.ok(!server.stderr().includes(key));
});

test("usage errors: an unset --api-key-env variable, a port out of range", async () => {
  const unset = await runCli(["serve", "--model", model, "--api-key-env", "SERVE_TEST_UNSET_VARIABLE"]);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /SERVE_TEST_UNSET_VARIABLE/);
  const port = await runCli(["serve", "--model", model, "--port", "70000"]);
  assert.equal(port.code, 2);
});
