import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { EncoderDecoderModel } from "@warmstart/composer";
import { createServer, type ServeHandle } from "@warmstart/serve";
import { faultSeed, seeded } from "./test-support/rng.js";
import { createTally } from "./test-support/tally.js";
import { tinyModel, tinySetup, type TinySetup } from "./test-support/tiny.js";

// `warmstart serve` under hostile clients: fuzzed bodies, disconnects mid-stream, SIGTERM during a burst, SIGKILL and
// restart. "kills injected" counts the disconnects, SIGTERMs and SIGKILLs; "hostile inputs tried" the fuzzed bodies.
const tally = createTally("serve faults");
const cli = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));
const noCli = existsSync(cli) ? false : "apps/cli is not built";
const dir = mkdtempSync(join(tmpdir(), "warmstart-serve-faults-"));
const modelDir = join(dir, "model");
let setup: TinySetup;
let model: EncoderDecoderModel;
let server: ServeHandle;
let address: string;

before(async () => {
  setup = await tinySetup();
  model = await tinyModel(setup, 1);
  await model.savePretrained(modelDir);
  await setup.tokenizer.save(modelDir);
  server = createServer({ model, tokenizer: setup.tokenizer, maxInputTokens: 12, bodyLimit: 64 * 1024 });
  address = await server.listen();
});
after(async () => {
  await server.close();
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const WORDS = ["alpha", "beta", "gamma", "delta", "one", "two", "three", "red", "blue", "and", "then", "it"];
// Integer options with an upper bound, so that every value below is out of range or of the wrong type.
const FIELDS = ["num_beams", "max_new_tokens", "max_length", "min_length", "no_repeat_ngram_size"];

interface Fuzzed {
  payload: string | Buffer;
  contentType: string;
  /** The field the error must name, when the body is JSON with one wrong field. */
  field?: string;
}

/** One malformed request of a seeded kind; every kind must be refused with a 4xx. */
function fuzzed(random: () => number): Fuzzed {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const valid = JSON.stringify({ inputs: pick(WORDS), max_new_tokens: 3 });
  const json = "application/json";
  switch (Math.floor(random() * 10)) {
    case 0: // random bytes
      return {
        payload: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256))),
        contentType: json,
      };
    case 1: // valid JSON cut short
      return { payload: valid.slice(0, Math.floor(random() * (valid.length - 1))), contentType: json };
    case 2: {
      // a wrong type or out-of-range value for a generation option
      const field = pick(FIELDS);
      const value = pick(["4", 1.5, -1, 1e12, null, true, [], {}, "NaN"]);
      return { payload: JSON.stringify({ inputs: "alpha", [field]: value }), contentType: json, field };
    }
    case 3: {
      // wrong inputs
      const value = pick([3, null, true, {}, [], [1], ["a", 2], [["a"]], [null]]);
      return {
        payload: JSON.stringify({ inputs: value }),
        contentType: json,
        field:
          Array.isArray(value) && value.length > 1
            ? "inputs[1]"
            : Array.isArray(value) && value.length === 1
              ? "inputs[0]"
              : "inputs",
      };
    }
    case 4: {
      // an unknown option
      const name = pick([
        "numBeams",
        "batch_size",
        "guidance_scale",
        "max_tokens",
        "__proto__x",
        `x${Math.floor(random() * 1e6)}`,
      ]);
      return { payload: JSON.stringify({ inputs: "alpha", [name]: 1 }), contentType: json, field: name };
    }
    case 5: // an input over --max-input-tokens
      return {
        payload: JSON.stringify({
          inputs: Array.from({ length: 13 + Math.floor(random() * 40) }, () => pick(WORDS)).join(" "),
        }),
        contentType: json,
        field: "inputs",
      };
    case 6: // a body that is not an object
      return { payload: pick(["1", '"alpha"', "null", "[]", "[{}]", "true", ""]), contentType: json };
    case 7: // deep nesting
      return { payload: `{"inputs": ${"[".repeat(2000)}${"]".repeat(2000)}}`, contentType: json, field: "inputs[0]" };
    case 8: // not JSON at all
      return {
        payload: valid,
        contentType: pick(["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]),
      };
    default: // over the body limit
      return {
        payload: JSON.stringify({ inputs: "a".repeat(65 * 1024 + Math.floor(random() * 1024)) }),
        contentType: json,
      };
  }
}

test("1,000 fuzzed malformed bodies each get a 4xx naming the field; the server never fails", async () => {
  const random = seeded(faultSeed(31));
  let serverErrors = 0;
  for (let i = 0; i < 1000; i++) {
    const body = fuzzed(random);
    tally.hostileInputsTried += 1;
    const res = await server.app.inject({
      method: "POST",
      url: "/v1/generate",
      headers: { "content-type": body.contentType },
      payload: body.payload,
    });
    if (res.statusCode >= 500) serverErrors++;
    assert.ok(
      res.statusCode >= 400 && res.statusCode < 500,
      `${res.statusCode} for ${String(body.payload).slice(0, 80)}`,
    );
    const json = res.json<{ ok: boolean; error: { code: string; field?: string; message: string } }>();
    assert.equal(json.ok, false);
    assert.equal(typeof json.error.message, "string");
    if (body.field !== undefined) assert.equal(json.error.field, body.field, String(body.payload).slice(0, 80));
  }
  assert.equal(serverErrors, 0);
  const fine = await server.app.inject({
    method: "POST",
    url: "/v1/generate",
    payload: { inputs: "alpha beta", max_new_tokens: 3 },
  });
  assert.equal(fine.statusCode, 200);
});

/** A streaming request over a socket that the client destroys after `after` token events (0: once the request is sent). */
function disconnectingStream(port: number, after: number): Promise<boolean> {
  let cut = false;
  return new Promise((resolve) => {
    const req = httpRequest(
      { port, method: "POST", path: "/v1/generate", headers: { "content-type": "application/json" } },
      (res) => {
        let tokens = 0;
        res.on("data", (d: Buffer) => {
          tokens += d.toString().split("event: token").length - 1;
          if (tokens >= after && !cut) {
            cut = true;
            req.destroy();
          }
        });
        res.on("close", () => resolve(cut));
      },
    );
    req.on("error", () => resolve(cut));
    req.on("close", () => resolve(cut));
    // 15 tokens, the most the 16 positions of the tiny decoder allow, with no early end.
    req.end(JSON.stringify({ inputs: "alpha beta gamma", stream: true, max_new_tokens: 14, min_length: 15 }));
    if (after === 0) {
      setImmediate(() => {
        cut = true;
        req.destroy();
      });
    }
  });
}

test("clients that disconnect mid-stream free their places; the server goes on answering", async () => {
  const random = seeded(faultSeed(32));
  const port = Number(new URL(address).port);
  const clients = Array.from({ length: 24 }, () => disconnectingStream(port, Math.floor(random() * 3)));
  tally.killsInjected += clients.length;
  // Every client was cut off by the test (before or after some text), none ended by the server first.
  assert.deepEqual(
    await Promise.all(clients),
    clients.map(() => true),
  );
  for (;;) {
    const health = (await server.app.inject("/health")).json<{ in_flight: number; queue_depth: number }>();
    if (health.in_flight === 0 && health.queue_depth === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const fine = await server.app.inject({
    method: "POST",
    url: "/v1/generate",
    payload: { inputs: "alpha", max_new_tokens: 3 },
  });
  assert.equal(fine.statusCode, 200);
});

interface Child {
  child: ChildProcessWithoutNullStreams;
  address: string;
  exited: Promise<number | null>;
  signal: Promise<NodeJS.Signals | null>;
  stderr: () => string;
}

function startCli(port: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, "serve", "--model", modelDir, "--port", String(port), "--max-batch", "4"],
      {
        env: { ...process.env, HF_HUB_OFFLINE: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    let done!: (v: { code: number | null; signal: NodeJS.Signals | null }) => void;
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (done = r));
    child.on("close", (code, signal) => done({ code, signal }));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found !== null) {
        resolve({
          child,
          address: found[1]!,
          exited: closed.then((c) => c.code),
          signal: closed.then((c) => c.signal),
          stderr: () => stderr,
        });
      }
    });
    child.on("error", reject);
    void closed.then((c) => reject(new Error(`serve exited (${c.code}) before listening: ${stderr}`)));
  });
}

async function post(base: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/v1/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Sends `count` requests and resolves once all have reached the server (answered or in flight, some in flight). */
async function burstArrived(base: string, count: number): Promise<Promise<number | "failed">[]> {
  let answered = 0;
  const burst = Array.from({ length: count }, (_, i) =>
    post(base, { inputs: WORDS.slice(0, 2 + (i % 3)).join(" "), max_new_tokens: 14, num_beams: 4 })
      .catch(() => "failed" as const)
      .finally(() => answered++),
  );
  for (;;) {
    const health = (await (await fetch(`${base}/health`)).json()) as { in_flight: number };
    // A machine fast enough to answer the whole burst first leaves nothing in flight: the signal then comes after it.
    if (answered === count || (health.in_flight + answered >= count && health.in_flight > 0)) return burst;
    await new Promise((r) => setTimeout(r, 5));
  }
}

test(
  "SIGTERM during a burst: the requests in flight finish with 200, then the process exits 0",
  { skip: noCli, timeout: 120_000 },
  async () => {
    const served = await startCli(0);
    const burst = await burstArrived(served.address, 16);
    served.child.kill("SIGTERM");
    tally.killsInjected += 1;
    const statuses = await Promise.all(burst);
    assert.deepEqual(
      statuses,
      burst.map(() => 200),
    );
    assert.equal(await served.exited, 0, served.stderr());
    assert.match(served.stderr(), /in flight finished, 0 cut off/);
  },
);

test(
  "SIGKILL during a burst, then a restart on the same port: the next request succeeds",
  { skip: noCli, timeout: 120_000 },
  async () => {
    const first = await startCli(0);
    const port = Number(new URL(first.address).port);
    const burst = await burstArrived(first.address, 16);
    first.child.kill("SIGKILL");
    tally.killsInjected += 1;
    assert.equal(await first.signal, "SIGKILL");
    // Clients of the killed server get an answer or a connection error, never a hang.
    for (const status of await Promise.all(burst)) assert.ok(status === 200 || status === "failed");
    const second = await startCli(port);
    assert.equal(await post(second.address, { inputs: "alpha beta", max_new_tokens: 5 }), 200);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0, second.stderr());
  },
);
