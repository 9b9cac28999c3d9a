import { createHash, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  GenerationError,
  generationConfigFromHF,
  mergeGenerationConfig,
  resolveGenerationSettings,
  type GenerationConfig,
} from "@warmstart/composer";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ServeError, errorBody, type ServeErrorCode } from "./errors.js";
import { ServeMetrics } from "./metrics.js";
import { fieldOfSetting, generateBodySchema, generationConfigOf, type GenerateRequestBody } from "./request-schema.js";
import { BatchScheduler, type BatchGenerator, type RowJob, type RowOutcome } from "./scheduler.js";
import type { ServeTokenizer } from "./tokenizer.js";

/** The model the server needs: `EncoderDecoderModel` fits it. */
export interface ServableModel extends BatchGenerator {
  /** The checkpoint's generation defaults (generation_config.json), which unset request fields take. */
  generationConfigJSON(): Record<string, unknown>;
  /** For `GET /v1/model`: the encoder and decoder configs. */
  readonly config?: { readonly encoder: Record<string, unknown>; readonly decoder: Record<string, unknown> };
  /** For `GET /v1/model`: the warm-start report (parameters leveraged from checkpoints, random, tied). */
  warmStartReport?(): {
    total: number;
    leveraged: number;
    random: number;
    tied: number;
    randomWeights: { encoder: string[]; decoder: string[]; projection: string[] };
  };
}

export interface ServeOptions {
  model: ServableModel;
  /** One tokenizer for both sides, or `sourceTokenizer` and `targetTokenizer` when they differ (BERT2GPT-2). */
  tokenizer?: ServeTokenizer;
  sourceTokenizer?: ServeTokenizer;
  targetTokenizer?: ServeTokenizer;
  /** Most inputs in one `generate()` call (default 16). */
  maxBatch?: number;
  /** Most inputs waiting for a batch; beyond it requests get 429 at once (default 256). */
  maxQueue?: number;
  /** Longest input in tokens (special tokens included); longer ones are refused unless `truncate` is set. Default: the tokenizer's model maximum, else 512. */
  maxInputTokens?: number;
  /** Largest request body in bytes (default 1 MiB); a larger one is refused from its Content-Length, unread. */
  bodyLimit?: number;
  /** When set, every route but `/health` needs `Authorization: Bearer <key>` (or `X-API-Key: <key>`). */
  apiKey?: string;
  /** Reported by `GET /v1/model`, e.g. the backend `initBackend` chose. */
  backend?: string;
  /** Reported by `GET /v1/model`, e.g. the model folder. */
  modelName?: string;
  /** Logs one line per request to `log` (never the API key or the texts). */
  log?: (line: string) => void;
}

export interface DrainResult {
  /** Requests that were in flight when draining began and got their answer. */
  completed: number;
  /** Requests still running at the deadline, answered 503. */
  aborted: number;
}

export interface ServeHandle {
  /** The fastify instance: add routes or hooks before `listen`. */
  readonly app: FastifyInstance;
  readonly metrics: ServeMetrics;
  /** Listens (default 127.0.0.1, port 0 = any free port); resolves with the address, e.g. `http://127.0.0.1:8080`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Stops accepting (new connections are refused, new requests on open ones get 503), lets the requests in
   * flight finish for up to `seconds`, answers the rest 503, and closes.
   */
  drain(seconds: number): Promise<DrainResult>;
  /** Closes at once: requests in flight are answered 503. */
  close(): Promise<void>;
}

/** Fields of a part's config.json that `GET /v1/model` reports. */
const SUMMARY_KEYS = [
  "model_type",
  "vocab_size",
  "hidden_size",
  "n_embd",
  "num_hidden_layers",
  "n_layer",
  "num_attention_heads",
  "n_head",
  "intermediate_size",
  "max_position_embeddings",
  "n_positions",
  "is_decoder",
  "add_cross_attention",
] as const;

type CancelReason = "deadline" | "disconnect" | "shutdown";

/** One generate request in flight: its rows and how it ends (all rows settled, or cancelled). */
class InFlight {
  readonly rows: RowJob[] = [];
  readonly outcomes: RowOutcome[] = [];
  cancelled: CancelReason | undefined;
  readonly done: Promise<void>;
  #settled = 0;
  #finish!: () => void;

  constructor() {
    this.done = new Promise((resolve) => (this.#finish = resolve));
  }

  settle(index: number, outcome: RowOutcome): void {
    this.outcomes[index] = outcome;
    if (++this.#settled === this.rows.length) this.#finish();
  }

  cancel(reason: CancelReason, scheduler: BatchScheduler): void {
    if (this.cancelled !== undefined) return;
    this.cancelled = reason;
    for (const row of this.rows) scheduler.cancel(row);
    this.#finish();
  }
}

/**
 * An HTTP server for an encoder-decoder: `POST /v1/generate` (JSON, or server-sent events with `stream`),
 * `GET /health`, `GET /v1/model`, `GET /metrics`. Concurrent requests are batched (see `BatchScheduler`).
 */
export function createServer(options: ServeOptions): ServeHandle {
  const { model } = options;
  const source = options.sourceTokenizer ?? options.tokenizer;
  const target = options.targetTokenizer ?? options.tokenizer;
  if (source === undefined || target === undefined) {
    throw new TypeError("createServer needs `tokenizer`, or both `sourceTokenizer` and `targetTokenizer`");
  }
  const maxBatch = positiveInteger(options.maxBatch ?? 16, "maxBatch");
  const maxQueue = positiveInteger(options.maxQueue ?? 256, "maxQueue");
  const tokenizerMax = source.modelMaxLength;
  const modelMax = tokenizerMax !== undefined && Number.isFinite(tokenizerMax) ? tokenizerMax : undefined;
  const maxInputTokens = positiveInteger(options.maxInputTokens ?? modelMax ?? 512, "maxInputTokens");
  if (modelMax !== undefined && maxInputTokens > modelMax) {
    throw new RangeError(`maxInputTokens ${maxInputTokens} is larger than the tokenizer's model maximum ${modelMax}`);
  }
  const apiKeyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);
  if (options.apiKey !== undefined && options.apiKey === "") throw new TypeError("apiKey is empty");
  const log = options.log ?? (() => {});

  const stored = model.generationConfigJSON();
  const defaults = generationConfigFromHF(stored);
  const eos = defaults.eosTokenId;
  const eosTokenIds = eos === undefined ? [] : Array.isArray(eos) ? eos : [eos];

  const decoderConfig = model.config?.decoder;
  const positions = decoderConfig?.max_position_embeddings ?? decoderConfig?.n_positions;
  const decoderPositions = typeof positions === "number" ? positions : undefined;

  const metrics = new ServeMetrics();
  const scheduler = new BatchScheduler({
    model,
    targetTokenizer: target,
    eosTokenIds,
    maxBatch,
    maxQueue,
    onBatch: (rows, tokens, ms) => {
      metrics.recordBatch(rows, tokens, ms);
      metrics.queueDepth.set(scheduler.queued);
    },
  });
  const inFlight = new Set<InFlight>();
  let draining = false;

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Validation refuses what it does not know, and never converts: "3" is not a number, an extra field is an error.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
  });

  // JSON only: fastify would also parse text/plain into a string, which is never a valid body.
  app.removeContentTypeParser("text/plain");

  const send = (reply: FastifyReply, error: ServeError): FastifyReply => {
    if (error.code === "QUEUE_FULL") reply.header("retry-after", String(retryAfterSeconds(scheduler, maxBatch)));
    return reply.code(error.status).type("application/json").send(errorBody(error));
  };

  app.addHook("onRequest", async (request, reply) => {
    if (apiKeyDigest === undefined || routeOf(request) === "/health") return;
    const given = keyOf(request);
    if (given === undefined || !timingSafeEqual(digest(given), apiKeyDigest)) {
      return send(
        reply,
        new ServeError("UNAUTHORIZED", "missing or wrong API key", {
          field: "authorization",
          hint: "send the header `Authorization: Bearer <key>` (or `X-API-Key: <key>`)",
        }),
      );
    }
    return undefined;
  });

  app.addHook("onResponse", async (request, reply) => {
    metrics.requests.inc({ route: routeOf(request), status: String(reply.statusCode) });
    log(`${request.method} ${routeOf(request)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
  });

  app.setErrorHandler((error, _request, reply) => send(reply, toServeError(error)));
  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      new ServeError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`, {
        hint: "routes: POST /v1/generate, GET /health, GET /v1/model, GET /metrics",
      }),
    ),
  );

  app.get("/health", async (_request, reply) =>
    reply.code(draining ? 503 : 200).send({
      ok: !draining,
      status: draining ? "draining" : "ok",
      queue_depth: scheduler.queued,
      in_flight: inFlight.size,
    }),
  );

  app.get("/metrics", async (_request, reply) => {
    metrics.queueDepth.set(scheduler.queued);
    metrics.inFlight.set(inFlight.size);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get("/v1/model", async () => {
    const summary = (config: Record<string, unknown> | undefined): Record<string, unknown> | undefined =>
      config === undefined
        ? undefined
        : Object.fromEntries(SUMMARY_KEYS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
    const report = model.warmStartReport?.();
    return {
      ok: true,
      model: options.modelName ?? null,
      backend: options.backend ?? null,
      encoder: summary(model.config?.encoder) ?? null,
      decoder: summary(model.config?.decoder) ?? null,
      generation_config: stored,
      warm_start:
        report === undefined
          ? null
          : {
              total: report.total,
              leveraged: report.leveraged,
              random: report.random,
              tied: report.tied,
              random_weights: report.randomWeights,
            },
      limits: { max_batch: maxBatch, max_queue: maxQueue, max_input_tokens: maxInputTokens },
    };
  });

  app.post(
    "/v1/generate",
    { schema: { body: generateBodySchema(maxQueue) } },
    async (request: FastifyRequest<{ Body: GenerateRequestBody }>, reply) => {
      const arrived = performance.now();
      const body = request.body;
      const single = typeof body.inputs === "string";
      const texts = typeof body.inputs === "string" ? [body.inputs] : body.inputs;
      const inputField = (i: number): string => (single ? "inputs" : `inputs[${i}]`);
      const config = generationConfigOf(body);
      const stream = body.stream === true;
      if (stream && texts.length > 1) {
        throw new ServeError("BAD_REQUEST", `stream: true generates for one input, got ${texts.length}`, {
          field: "inputs",
          hint: "send one string, or drop stream",
        });
      }
      const ids = await encodeInputs(source, texts, maxInputTokens, body.truncate === true, inputField);
      // The settings generate() will use, checked now so that a bad one is this request's 400, not its batch's.
      let effective: GenerationConfig;
      let maxLength: number;
      try {
        ({ config: effective, maxLength } = resolveGenerationSettings(
          { inputIds: [ids[0]!] },
          mergeGenerationConfig(defaults, config),
        ));
      } catch (error) {
        throw toServeError(error);
      }
      if (decoderPositions !== undefined && maxLength > decoderPositions) {
        // The decoder has no position embedding beyond this: generate() would fail deep in the model.
        const field = body.max_length !== undefined ? "max_length" : "max_new_tokens";
        throw new ServeError(
          "INVALID_SETTING",
          `the output may reach ${maxLength} tokens, but the decoder has ${decoderPositions} positions`,
          { field, hint: `ask for at most ${decoderPositions - 1} new tokens (max_new_tokens)` },
        );
      }
      if (stream && effective.numBeams > 1) {
        throw new ServeError(
          "INVALID_SETTING",
          `stream: true cannot be used with beam search (num_beams ${effective.numBeams})`,
          {
            field: "num_beams",
            hint: "beam search picks its output only at the end: set num_beams 1 (or do_sample) to stream, or drop stream",
          },
        );
      }
      if (draining) {
        throw new ServeError("SHUTTING_DOWN", "the server is shutting down", { hint: "retry on another instance" });
      }

      const flight = new InFlight();
      const settingsKey = JSON.stringify(config);
      const events = stream ? new SseWriter(reply.raw) : undefined;
      ids.forEach((inputIds, i) => {
        flight.rows.push({
          inputIds,
          config,
          key: `${settingsKey}|${inputIds.length}`,
          alone: effective.doSample,
          onText: events === undefined ? undefined : (text) => events.event("token", { text }),
          cancelled: false,
          settle: (outcome) => flight.settle(i, outcome),
        });
      });
      if (!scheduler.tryEnqueue(flight.rows)) {
        metrics.rejected.inc();
        throw new ServeError("QUEUE_FULL", `the queue is full (${maxQueue} inputs waiting)`, {
          hint: "retry after the number of seconds in the Retry-After header",
        });
      }
      inFlight.add(flight);
      metrics.queueDepth.set(scheduler.queued);
      const timer =
        body.timeout_ms === undefined
          ? undefined
          : setTimeout(() => {
              metrics.cancelled.inc({ reason: "deadline" });
              flight.cancel("deadline", scheduler);
            }, body.timeout_ms);
      const onClose = (): void => {
        if (reply.raw.writableFinished || flight.cancelled !== undefined) return;
        metrics.cancelled.inc({ reason: "disconnect" });
        flight.cancel("disconnect", scheduler);
      };
      reply.raw.on("close", onClose);
      if (events !== undefined) {
        reply.hijack();
        events.open();
      }
      try {
        await flight.done;
      } finally {
        clearTimeout(timer);
        inFlight.delete(flight);
        metrics.queueDepth.set(scheduler.queued);
      }

      const result = answerOf(flight, texts.length, ids, arrived);
      const status = result instanceof ServeError ? result.status : 200;
      metrics.latency.observe({ status: String(status) }, (performance.now() - arrived) / 1000);
      if (events === undefined) {
        if (flight.cancelled === "disconnect") return reply;
        return result instanceof ServeError ? send(reply, result) : reply.send(result);
      }
      // Hijacked: fastify's onResponse hook does not run, so the request is counted here.
      metrics.requests.inc({ route: "/v1/generate", status: String(status === 200 ? 200 : status) });
      if (flight.cancelled !== "disconnect") {
        if (result instanceof ServeError) events.event("error", errorBody(result));
        else events.event("done", result);
      }
      events.close();
      return reply;
    },
  );

  let closing: Promise<void> | undefined;
  const closeApp = (): Promise<void> => (closing ??= app.close());

  return {
    app,
    metrics,
    async listen({ port = 0, host = "127.0.0.1" } = {}) {
      return app.listen({ port, host });
    },
    async drain(seconds) {
      draining = true;
      const pending = [...inFlight];
      const closed = closeApp();
      const deadline = new Promise<"deadline">((resolve) =>
        setTimeout(() => resolve("deadline"), seconds * 1000).unref(),
      );
      const finished = Promise.all(pending.map((f) => f.done)).then(() => "finished" as const);
      let aborted = 0;
      if ((await Promise.race([finished, deadline])) === "deadline") {
        for (const flight of inFlight) {
          if (flight.cancelled === undefined) aborted++;
          metrics.cancelled.inc({ reason: "shutdown" });
          flight.cancel("shutdown", scheduler);
        }
      }
      await scheduler.idle();
      // Keep-alive connections with no request in flight would hold close() open.
      app.server.closeIdleConnections();
      await closed;
      return { completed: pending.length - aborted, aborted };
    },
    async close() {
      draining = true;
      for (const flight of inFlight) flight.cancel("shutdown", scheduler);
      const closed = closeApp();
      await scheduler.idle();
      app.server.closeAllConnections();
      await closed;
    },
  };
}

/** Tokenizes every input; one over `maxInputTokens` is an error naming it unless truncation is asked for. */
async function encodeInputs(
  tokenizer: ServeTokenizer,
  texts: readonly string[],
  maxInputTokens: number,
  truncate: boolean,
  fieldOf: (i: number) => string,
): Promise<number[][]> {
  const { inputIds } = await tokenizer.batchEncode(texts, {});
  const tooLong = inputIds.findIndex((ids) => ids.length > maxInputTokens);
  if (tooLong < 0) return inputIds;
  if (!truncate) {
    throw new ServeError(
      "INPUT_TOO_LONG",
      `${fieldOf(tooLong)} is ${inputIds[tooLong]!.length} tokens long; the limit is ${maxInputTokens}`,
      { field: fieldOf(tooLong), hint: "shorten it, or send truncate: true to cut it to the limit" },
    );
  }
  return (await tokenizer.batchEncode(texts, { truncation: true, maxLength: maxInputTokens })).inputIds;
}

/** The 200 body, or the error that ended the request. */
function answerOf(flight: InFlight, count: number, ids: readonly (readonly number[])[], arrived: number): unknown {
  if (flight.cancelled === "deadline") {
    return new ServeError("DEADLINE_EXCEEDED", "timeout_ms passed before the output was complete", {
      field: "timeout_ms",
      hint: "raise timeout_ms, or ask for fewer tokens (max_new_tokens)",
    });
  }
  if (flight.cancelled !== undefined) {
    return new ServeError("SHUTTING_DOWN", "the server shut down before the output was complete", {
      hint: "retry on another instance",
    });
  }
  const failed = flight.outcomes.find((o) => !o.ok);
  if (failed !== undefined && !failed.ok) return toServeError(failed.error);
  const outcomes = flight.outcomes as Extract<RowOutcome, { ok: true }>[];
  const generateMs = Math.max(...outcomes.map((o) => o.generateMs));
  const totalMs = performance.now() - arrived;
  return {
    ok: true,
    outputs: Array.from({ length: count }, (_, i) => ({
      text: outcomes[i]!.text,
      input_tokens: ids[i]!.length,
      output_tokens: outcomes[i]!.outputTokens,
    })),
    timings: {
      queue_ms: round(Math.max(0, totalMs - generateMs)),
      generate_ms: round(generateMs),
      total_ms: round(totalMs),
      batch_rows: Math.max(...outcomes.map((o) => o.batchRows)),
    },
  };
}

/** Server-sent events on a hijacked response. */
class SseWriter {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  open(): void {
    this.#res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
  }

  event(name: string, data: unknown): void {
    if (this.#res.destroyed || this.#res.writableEnded) return;
    this.#res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (!this.#res.destroyed && !this.#res.writableEnded) this.#res.end();
  }
}

/** Fastify's and generate()'s errors as the server's: the field at fault and a 4xx where the request is at fault. */
export function toServeError(error: unknown): ServeError {
  if (error instanceof ServeError) return error;
  if (error instanceof GenerationError) {
    const field = fieldOfSetting(error.setting);
    return new ServeError("INVALID_SETTING", error.message, field === undefined ? {} : { field });
  }
  const e = error as { code?: string; statusCode?: number; validation?: ValidationIssue[]; message?: string };
  if (Array.isArray(e.validation) && e.validation.length > 0) return validationError(e.validation);
  const byCode: Record<string, ServeErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
    FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
    FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
    FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  };
  const code = e.code === undefined ? undefined : byCode[e.code];
  if (code === "BODY_TOO_LARGE") {
    return new ServeError(code, "the request body is larger than the server accepts", {
      hint: "send fewer or shorter inputs in one request",
    });
  }
  if (code === "UNSUPPORTED_MEDIA_TYPE") {
    return new ServeError(code, "the body must be JSON", { hint: "send Content-Type: application/json" });
  }
  if (code !== undefined || (error instanceof SyntaxError && e.statusCode === 400)) {
    return new ServeError(code ?? "INVALID_JSON", `the body is not valid JSON: ${e.message ?? ""}`.trim(), {
      hint: 'send a JSON object such as {"inputs": "some text"}',
    });
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new ServeError("BAD_REQUEST", e.message ?? "bad request");
  }
  return new ServeError("INTERNAL", "the server failed on this request", { cause: error });
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The first schema violation, naming the field: `/inputs/2` → `inputs[2]`, an extra field by its name. */
function validationError(issues: readonly ValidationIssue[]): ServeError {
  // An `anyOf` (inputs: a string or a list) reports each branch first: the most specific issue is the best one.
  const specific = issues.filter((i) => i.keyword !== "anyOf");
  const depth = (i: ValidationIssue): number => i.instancePath.split("/").length;
  const issue = specific.reduce((best, i) => (depth(i) > depth(best) ? i : best), specific[0] ?? issues[0]!);
  const path = issue.instancePath
    .split("/")
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
  if (issue.keyword === "additionalProperties") {
    const name = String(issue.params.additionalProperty);
    return new ServeError("BAD_REQUEST", `unknown option "${name}"`, {
      field: path === "" ? name : `${path}.${name}`,
      hint: "options: inputs, stream, timeout_ms, truncate and the generation options of `warmstart generate` in snake_case (num_beams, max_new_tokens, ...)",
    });
  }
  if (issue.keyword === "required") {
    const name = String(issue.params.missingProperty);
    return new ServeError("BAD_REQUEST", `missing "${name}"`, { field: name, hint: 'send {"inputs": "some text"}' });
  }
  if (path === "") {
    return new ServeError("BAD_REQUEST", `the body ${issue.message ?? "is invalid"}`, {
      hint: 'send a JSON object such as {"inputs": "some text"}',
    });
  }
  const expected =
    path.startsWith("inputs") && issue.keyword === "type" ? "must be a string or a list of strings" : issue.message;
  return new ServeError("BAD_REQUEST", `${path} ${expected ?? "is invalid"}`, { field: path });
}

function retryAfterSeconds(scheduler: BatchScheduler, maxBatch: number): number {
  const batchesAhead = Math.ceil(scheduler.queued / maxBatch) + 1;
  return Math.max(1, Math.ceil((scheduler.lastBatchMs * batchesAhead) / 1000));
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? "unmatched";
}

function keyOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice("Bearer ".length);
  const header = request.headers["x-api-key"];
  return typeof header === "string" ? header : undefined;
}

/** Fixed-length digests, so that comparing keys takes the same time whatever their lengths. */
function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
