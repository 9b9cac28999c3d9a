import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, test } from "node:test";
import { generateText, type EncoderDecoderModel } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import { createServer, type ServeHandle } from "./server.js";
import { GatedModel, tinyModel, tinyTokenizer } from "./test-support/tiny.js";

let tokenizer: Tokenizer;
let model: EncoderDecoderModel;
const budget = { max_new_tokens: 8, no_repeat_ngram_size: 0 };
const cfg = { maxNewTokens: 8, noRepeatNgramSize: 0 };
const handles: ServeHandle[] = [];

/** A 200 body or an error body, loosely: each test reads the half it expects. */
interface ReplyJson {
  ok: boolean;
  outputs: { text: string; input_tokens: number; output_tokens: number }[];
  timings: { queue_ms: number; generate_ms: number; total_ms: number; batch_rows: number };
  error: { code: string; status: number; message: string; field?: string };
}

before(async () => {
  tokenizer = tinyTokenizer();
  model = await tinyModel(tokenizer);
});
after(async () => {
  for (const h of handles) await h.close();
  model.dispose();
});

function serve(options: Partial<Parameters<typeof createServer>[0]> = {}): ServeHandle {
  const handle = createServer({ model, tokenizer, backend: "cpu", modelName: "tiny", ...options });
  handles.push(handle);
  return handle;
}

async function post(handle: ServeHandle, body: unknown, headers: Record<string, string> = {}) {
  const res = await handle.app.inject({
    method: "POST",
    url: "/v1/generate",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, json: res.json<ReplyJson>() };
}

/** Waits (without a time limit: the test runner's own applies) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

test("POST /v1/generate gives what generateText (warmstart generate) gives for each input alone", async () => {
  const server = serve();
  const inputs = ["alpha beta gamma", "one two", "red blue and then it", ""];
  const { status, json } = await post(server, { inputs, ...budget });
  assert.equal(status, 200);
  for (const [i, input] of inputs.entries()) {
    const [alone] = await generateText(model, [input], { tokenizer, ...cfg });
    assert.equal(json.outputs[i]?.text, alone);
    assert.equal(json.outputs[i]?.input_tokens, (await tokenizer.batchEncode([input])).inputIds[0]!.length);
    assert.ok(json.outputs[i]?.output_tokens >= 1 && json.outputs[i]?.output_tokens <= 8);
  }
  assert.equal(typeof json.timings.total_ms, "number");
  const beams = await post(server, { inputs: "alpha beta gamma", ...budget, num_beams: 3 });
  const [beamAlone] = await generateText(model, ["alpha beta gamma"], { tokenizer, ...cfg, numBeams: 3 });
  assert.equal(beams.json.outputs[0]?.text, beamAlone);
  const sampled = await post(server, { inputs: "alpha beta", ...budget, do_sample: true, seed: 5, top_k: 4 });
  const [sampledAlone] = await generateText(model, ["alpha beta"], {
    tokenizer,
    ...cfg,
    doSample: true,
    seed: 5,
    topK: 4,
  });
  assert.equal(sampled.json.outputs[0]?.text, sampledAlone);
});

test("concurrent requests run as one batch, each with its own result", async () => {
  const gated = new GatedModel(model);
  const server = serve({ model: gated, maxBatch: 8 });
  gated.close();
  const first = post(server, { inputs: "alpha", ...budget });
  await until(() => gated.calls.length === 1);
  // Same length (3 words + [CLS] [SEP]): they share a batch; the 2-word one waits for its own.
  const texts = ["alpha beta gamma", "one two three", "red blue it", "then it and", "one two"];
  const rest = texts.map((inputs) => post(server, { inputs, ...budget }));
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 5"));
  gated.open();
  const results = await Promise.all([first, ...rest]);
  assert.deepEqual(gated.calls, [1, 4, 1]);
  for (const [i, text] of texts.entries()) {
    const [alone] = await generateText(model, [text], { tokenizer, ...cfg });
    assert.equal(results[i + 1]!.json.outputs[0]?.text, alone, text);
  }
  assert.equal(results[1]!.json.timings.batch_rows, 4);
  assert.equal(results[5]!.json.timings.batch_rows, 1);
});

test("a full queue answers 429 with Retry-After at once; a deadline cancels queued work and frees its place", async () => {
  const gated = new GatedModel(model);
  const server = serve({ model: gated, maxBatch: 1, maxQueue: 1 });
  gated.close();
  const running = post(server, { inputs: "alpha", ...budget });
  await until(() => gated.calls.length === 1);
  const queued = post(server, { inputs: "beta", ...budget, timeout_ms: 20 });
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 1"));
  const refused = await post(server, { inputs: "gamma", ...budget });
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.code, "QUEUE_FULL");
  assert.match(String(refused.headers["retry-after"]), /^[1-9]\d*$/);
  const late = await queued;
  assert.equal(late.status, 408);
  assert.equal(late.json.error.field, "timeout_ms");
  // The cancelled request's place is free again: a new one is queued, not refused.
  const next = post(server, { inputs: "delta", ...budget });
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 1"));
  gated.open();
  assert.equal((await running).status, 200);
  assert.equal((await next).status, 200);
  assert.deepEqual(gated.calls, [1, 1]);
  const metrics = (await server.app.inject("/metrics")).body;
  assert.match(metrics, /warmstart_requests_rejected_total 1/);
  assert.match(metrics, /warmstart_requests_cancelled_total\{reason="deadline"\} 1/);
});

test("bad requests get a 4xx naming the field, and the server keeps answering", async () => {
  const server = serve({ maxInputTokens: 6, bodyLimit: 64 * 1024 });
  const cases: [unknown, number, string, string | undefined][] = [
    ["{not json", 400, "INVALID_JSON", undefined],
    [{}, 400, "BAD_REQUEST", "inputs"],
    [{ inputs: 3 }, 400, "BAD_REQUEST", "inputs"],
    [{ inputs: ["a", 2] }, 400, "BAD_REQUEST", "inputs[1]"],
    [{ inputs: [] }, 400, "BAD_REQUEST", "inputs"],
    [{ inputs: "a", num_beams: "4" }, 400, "BAD_REQUEST", "num_beams"],
    [{ inputs: "a", num_beams: 0 }, 400, "BAD_REQUEST", "num_beams"],
    [{ inputs: "a", top_p: 1.5 }, 400, "BAD_REQUEST", "top_p"],
    [{ inputs: "a", stream: "yes" }, 400, "BAD_REQUEST", "stream"],
    [{ inputs: "a", numBeams: 2 }, 400, "BAD_REQUEST", "numBeams"],
    [{ inputs: "a", batch_size: 2 }, 400, "BAD_REQUEST", "batch_size"],
    [{ inputs: "alpha beta gamma delta one two" }, 400, "INPUT_TOO_LONG", "inputs"],
    [{ inputs: ["a", "alpha beta gamma delta one two"] }, 400, "INPUT_TOO_LONG", "inputs[1]"],
    [{ inputs: ["a", "b"], stream: true }, 400, "BAD_REQUEST", "inputs"],
    [{ inputs: "a", stream: true, num_beams: 2 }, 400, "INVALID_SETTING", "num_beams"],
    [{ inputs: "a", max_new_tokens: 64 }, 400, "INVALID_SETTING", "max_new_tokens"],
    [{ inputs: "a", max_length: 65 }, 400, "INVALID_SETTING", "max_length"],
    [[1, 2], 400, "BAD_REQUEST", undefined],
    ["null", 400, "BAD_REQUEST", undefined],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await post(server, body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(res.json.ok, false);
    assert.equal(res.json.error.code, code, JSON.stringify(body));
    assert.equal(res.json.error.field, field, JSON.stringify(body));
    assert.equal(res.json.error.status, status);
    assert.equal(typeof res.json.error.message, "string");
  }
  const truncated = await post(server, { inputs: "alpha beta gamma delta one two", truncate: true, ...budget });
  assert.equal(truncated.status, 200);
  assert.equal(truncated.json.outputs[0]?.input_tokens, 6);
  const [alone] = await generateText(model, ["alpha beta gamma delta one two"], {
    tokenizer,
    ...cfg,
    maxInputLength: 6,
  });
  assert.equal(truncated.json.outputs[0]?.text, alone);
  const text = await server.app.inject({
    method: "POST",
    url: "/v1/generate",
    headers: { "content-type": "text/plain" },
    payload: "hi",
  });
  assert.equal(text.statusCode, 415);
  const huge = await server.app.inject({
    method: "POST",
    url: "/v1/generate",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({ inputs: "a".repeat(100_000) }),
  });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json().error.code, "BODY_TOO_LARGE");
  const missing = await server.app.inject("/v2/nothing");
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, "NOT_FOUND");
  assert.equal((await post(server, { inputs: "alpha", ...budget })).status, 200);
});

test("a 100 MB body is refused from its Content-Length before it is read", async () => {
  const server = serve();
  const address = await server.listen();
  const { port } = new URL(address);
  const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        method: "POST",
        path: "/v1/generate",
        headers: { "content-type": "application/json", "content-length": String(100 * 1024 * 1024) },
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    // Only the first bytes are ever sent: the answer must come without the rest.
    req.write('{"inputs": "');
  });
  assert.equal(reply.status, 413);
  assert.equal(JSON.parse(reply.body).error.code, "BODY_TOO_LARGE");
});

test("GET /health, /v1/model and /metrics", async () => {
  const server = serve();
  const health = await server.app.inject("/health");
  assert.equal(health.statusCode, 200);
  assert.equal(health.json().status, "ok");
  const info = (await server.app.inject("/v1/model")).json();
  assert.equal(info.backend, "cpu");
  assert.equal(info.model, "tiny");
  assert.equal(info.encoder.hidden_size, 16);
  assert.equal(info.decoder.add_cross_attention, true);
  assert.equal(info.warm_start.total, model.warmStartReport().total);
  assert.equal(info.warm_start.leveraged, 0);
  assert.equal(info.limits.max_batch, 16);
  await post(server, { inputs: "alpha", ...budget });
  const metrics = await server.app.inject("/metrics");
  assert.match(String(metrics.headers["content-type"]), /^text\/plain/);
  for (const name of [
    'warmstart_http_requests_total{route="/v1/generate",status="200"} 1',
    "warmstart_queue_depth 0",
    "warmstart_tokens_per_second",
    "warmstart_generated_tokens_total",
    'warmstart_request_duration_seconds_bucket{le="+Inf",status="200"} 1',
    "warmstart_batch_rows_count 1",
  ]) {
    assert.ok(metrics.body.includes(name), name);
  }
});

test("an API key guards every route but /health", async () => {
  const server = serve({ apiKey: "s3cret-key" });
  assert.equal((await server.app.inject("/health")).statusCode, 200);
  for (const url of ["/v1/model", "/metrics"]) {
    const res = await server.app.inject(url);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, "UNAUTHORIZED");
    assert.ok(!res.body.includes("s3cret-key"));
  }
  assert.equal((await post(server, { inputs: "alpha" }, { authorization: "Bearer wrong" })).status, 401);
  assert.equal(
    (await post(server, { inputs: "alpha", ...budget }, { authorization: "Bearer s3cret-key" })).status,
    200,
  );
  assert.equal((await server.app.inject({ url: "/v1/model", headers: { "x-api-key": "s3cret-key" } })).statusCode, 200);
});

/** POSTs over a real socket and reads the server-sent events. */
function streamEvents(
  address: string,
  body: unknown,
  onEvent?: (name: string, req: ReturnType<typeof httpRequest>) => void,
) {
  const { port } = new URL(address);
  return new Promise<{ status: number; type: string; events: { name: string; data: ReplyJson & { text: string } }[] }>(
    (resolve, reject) => {
      const req = httpRequest(
        { port, method: "POST", path: "/v1/generate", headers: { "content-type": "application/json" } },
        (res) => {
          let buffer = "";
          const events: { name: string; data: ReplyJson & { text: string } }[] = [];
          res.on("data", (d: Buffer) => {
            buffer += d.toString();
            let end: number;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const name = /^event: (.*)$/m.exec(block)![1]!;
              events.push({ name, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) });
              onEvent?.(name, req);
            }
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), events }),
          );
          res.on("error", () => resolve({ status: res.statusCode ?? 0, type: "", events }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    },
  );
}

test("stream: true sends the text as server-sent events, then the whole result", async () => {
  const server = serve();
  const address = await server.listen();
  const { status, type, events } = await streamEvents(address, {
    inputs: "alpha beta gamma",
    stream: true,
    ...budget,
    max_new_tokens: 12,
  });
  assert.equal(status, 200);
  assert.match(type, /^text\/event-stream/);
  const done = events.at(-1)!;
  assert.equal(done.name, "done");
  const [alone] = await generateText(model, ["alpha beta gamma"], { tokenizer, ...cfg, maxNewTokens: 12 });
  assert.equal(done.data.outputs[0]?.text, alone);
  const tokens = events.filter((e) => e.name === "token").map((e) => e.data.text);
  assert.ok(tokens.length >= 2, `${tokens.length} token events`);
  assert.equal(tokens.join(""), alone);
});

test("a client that disconnects mid-stream frees its batch slot; the server goes on", async () => {
  const gated = new GatedModel(model);
  const server = serve({ model: gated });
  const address = await server.listen();
  const gone = await streamEvents(
    address,
    { inputs: "alpha beta", stream: true, ...budget, max_new_tokens: 60, min_length: 61 },
    (name, req) => {
      if (name === "token") req.destroy();
    },
  );
  assert.ok(gone.events.length >= 1);
  await until(async () =>
    (await server.app.inject("/metrics")).body.includes('warmstart_requests_cancelled_total{reason="disconnect"} 1'),
  );
  // Disconnect while queued: the queued request leaves the queue at once.
  gated.close();
  const running = post(server, { inputs: "one", ...budget });
  await until(() => gated.calls.length === 2);
  const { port } = new URL(address);
  const req = httpRequest({
    port,
    method: "POST",
    path: "/v1/generate",
    headers: { "content-type": "application/json" },
  });
  req.on("error", () => {});
  req.end(JSON.stringify({ inputs: "two", ...budget }));
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 1"));
  req.destroy();
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 0"));
  gated.open();
  assert.equal((await running).status, 200);
  assert.deepEqual(gated.calls, [1, 1]);
  assert.equal((await post(server, { inputs: "alpha", ...budget })).status, 200);
});

test("drain lets requests in flight finish, then refuses new ones", async () => {
  const gated = new GatedModel(model);
  const server = serve({ model: gated });
  gated.close();
  const inflight = [post(server, { inputs: "alpha", ...budget }), post(server, { inputs: "beta", ...budget })];
  await until(() => gated.calls.length === 1);
  // Both have reached the handler (one running, one queued) before the drain begins.
  await until(async () => (await server.app.inject("/metrics")).body.includes("warmstart_queue_depth 1"));
  const drained = server.drain(60);
  const refused = await post(server, { inputs: "gamma", ...budget });
  assert.equal(refused.status, 503);
  gated.open();
  const answers = await Promise.all(inflight);
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200],
  );
  assert.deepEqual(await drained, { completed: 2, aborted: 0 });
});
