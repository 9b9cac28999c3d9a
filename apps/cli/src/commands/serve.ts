import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { integer } from "../framework/option-parsers.js";

interface ServeOptions extends CommonOptions {
  model: string;
  port: number;
  host: string;
  maxBatch: number;
  maxQueue: number;
  maxInputTokens?: number;
  drainSeconds: number;
  apiKeyEnv?: string;
  tokenizer?: string;
  decoderTokenizer?: string;
}

export function registerServe(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("serve")
      .description(
        "An HTTP server for an encoder-decoder: POST /v1/generate (JSON or server-sent events), GET /health, " +
          "GET /v1/model, GET /metrics; concurrent requests are batched.",
      )
      .requiredOption("--model <dir|id>", "an encoder-decoder folder (from compose, train or the demo) or Hub id")
      .option("--port <n>", "TCP port (0 = any free port)", integer(0, 65_535), 8080)
      .option("--host <address>", "address to bind; the default is loopback only", "127.0.0.1")
      .option("--max-batch <n>", "most inputs in one generate() call", integer(1, 4096), 16)
      .option(
        "--max-queue <n>",
        "most inputs waiting for a batch; beyond it: 429 with Retry-After",
        integer(1, 1_000_000),
        256,
      )
      .option(
        "--max-input-tokens <n>",
        "longest input in tokens; longer ones get 400 unless the request sets truncate (default: the tokenizer's maximum)",
        integer(1, 100_000),
      )
      .option(
        "--drain-seconds <n>",
        "on SIGTERM, how long requests in flight may take to finish",
        integer(0, 86_400),
        30,
      )
      .option("--api-key-env <name>", "environment variable holding an API key that every route but /health requires")
      .option("--tokenizer <dir|id>", "encoder tokenizer (default: the model folder's)")
      .option(
        "--decoder-tokenizer <dir|id>",
        "decoder tokenizer when it differs (default: <model>/decoder_tokenizer, else the encoder's)",
      ),
  ).addHelpText(
    "after",
    examples([
      "warmstart serve --model ~/.cache/warmstart/demo/models/BERTShare",
      "WARMSTART_API_KEY=$(openssl rand -hex 16) warmstart serve --model ./fused --api-key-env WARMSTART_API_KEY --port 9000",
      `curl -s localhost:8080/v1/generate -H 'content-type: application/json' -d '{"inputs": "the cat sat . it was tired .", "num_beams": 4}'`,
    ]),
  );
  defineAction<ServeOptions>(command, io, state, async (ctx, _args, options) => {
    const apiKey = apiKeyOf(options.apiKeyEnv);
    const { loadComposed } = await import("../models/run-generation.js");
    const { ensureBackend } = await import("@warmstart/tensors");
    const { createServer } = await import("@warmstart/serve");
    const { model, tokenizers } = await loadComposed(ctx, options.model, options);
    let server: ReturnType<typeof createServer>;
    try {
      server = createServer({
        model,
        sourceTokenizer: tokenizers.source,
        targetTokenizer: tokenizers.target,
        maxBatch: options.maxBatch,
        maxQueue: options.maxQueue,
        ...(options.maxInputTokens === undefined ? {} : { maxInputTokens: options.maxInputTokens }),
        ...(apiKey === undefined ? {} : { apiKey }),
        backend: await ensureBackend(),
        modelName: options.model,
        log: (line) => ctx.debug(line),
      });
    } catch (error) {
      model.dispose();
      if (error instanceof RangeError) throw new CliError("USAGE", error.message, { hint: "lower --max-input-tokens" });
      throw error;
    }
    let address: string;
    try {
      address = await server.listen({ port: options.port, host: options.host });
    } catch (error) {
      model.dispose();
      const code = (error as { code?: string }).code;
      throw new CliError("FAILED", `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, {
        hint:
          code === "EADDRINUSE"
            ? "another process uses that port: pick another with --port"
            : "check --host and --port",
        cause: error,
      });
    }
    // The address on stdout (port 0 picks a free one), so that scripts can read where to connect.
    ctx.print(`listening on ${address}`);
    if (ctx.json) ctx.stdout.write(`${JSON.stringify({ ok: true, listening: address })}\n`);
    ctx.log(`serving ${options.model} on ${address}${apiKey === undefined ? "" : " (API key required)"}`);
    await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
    ctx.log(`SIGTERM: draining (up to ${options.drainSeconds} s for requests in flight)`);
    const { completed, aborted } = await server.drain(options.drainSeconds);
    model.dispose();
    ctx.log(`stopped: ${completed} request(s) in flight finished, ${aborted} cut off at the deadline`);
  });
}

/** The key from the named environment variable; the flag names the variable so the key never sits in `ps` or logs. */
function apiKeyOf(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new CliError("USAGE", `--api-key-env ${name}: the environment variable ${name} is unset or empty`, {
      hint: `export ${name}=<key> before starting the server, or drop --api-key-env`,
    });
  }
  return value;
}
