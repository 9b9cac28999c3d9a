// Load test of `warmstart serve` (issue 22, acceptance 1 and 2) on loopback with autocannon, against a tiny random-weight
// BERT2BERT: 1, 16 and 64 concurrent clients (no 5xx, every 200 identical to `warmstart generate`, p50 / p99 latency,
// throughput, the 16-client / 1-client ratio), then an overload of 10x more clients than --max-queue (429s, the
// server's RSS sampled through the burst, latency after it). Writes results/serve.json.
//
//   node --import tsx serve.ts                 # 60 s at 64 clients, ~3 min in all
//   node --import tsx serve.ts --duration 3    # a smoke run: every phase 3 s
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import type { IncomingHttpHeaders } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { Tokenizer } from "@warmstart/tokenizers";
import { runProvenance } from "@warmstart/test-utils";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "../apps/cli/dist/bin.js");
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    out: { type: "string", default: join(here, "results/serve.json") },
  },
});
const mainSeconds = Number(values.duration);
if (!Number.isFinite(mainSeconds) || mainSeconds <= 0) {
  throw new Error(`--duration: expected seconds > 0, got ${values.duration}`);
}
const shortSeconds = Math.max(1, Math.round(mainSeconds / 3));
const loadBefore = loadavg();
const date = new Date().toISOString();

// The model: a BERT2BERT of two 64-wide layers with random weights and a fixed vocabulary (outputs are arbitrary
// but deterministic, which is what comparing with `warmstart generate` needs).
const WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "it", "was", "tired", "."];
const dir = mkdtempSync(join(tmpdir(), "warmstart-serve-bench-"));
await initBackend();
const tokenizer = Tokenizer.fromVocab({
  kind: "wordpiece",
  vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS],
  modelMaxLength: 64,
});
const config = {
  model_type: "bert",
  vocab_size: tokenizer.vocabSize,
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 128,
  max_position_embeddings: 64,
};
const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
  encoderConfig: config,
  decoderConfig: config,
  seed: 1,
  decoderStartTokenId: tokenizer.clsTokenId as number,
  eosTokenId: tokenizer.sepTokenId as number,
  padTokenId: tokenizer.padTokenId as number,
});
await model.savePretrained(dir);
await tokenizer.save(dir);
model.dispose();

const input = "the cat sat on the mat . it was tired .";
const settings = { max_new_tokens: 16 };
const expected = execFileSync(
  process.execPath,
  [cli, "generate", "--model", dir, "--max-new-tokens", "16", "--quiet"],
  { input: `${input}\n`, encoding: "utf8" },
).trimEnd();

interface Server {
  child: ChildProcess;
  url: string;
}

function startServer(args: string[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "serve", "--model", dir, "--port", "0", "--quiet", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found !== null) resolve({ child, url: found[1]! });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

async function stopServer(server: Server): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
  server.child.kill("SIGTERM");
  return exited;
}

/** Resident set size of a process in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return kb === null ? Number.NaN : Number(kb[1]) / 1024;
}

interface Phase {
  clients: number;
  seconds: number;
  requests: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  status: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 200 responses whose text differs from `warmstart generate`'s. */
  mismatches: number;
  retryAfterMissing: number;
}

async function load(url: string, clients: number, seconds: number): Promise<Phase> {
  let mismatches = 0;
  let retryAfterMissing = 0;
  const result = await autocannon({
    url: `${url}/v1/generate`,
    connections: clients,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: input, ...settings }),
        onResponse: (status: number, body: string, _context: object, headers: IncomingHttpHeaders | undefined) => {
          if (status === 200 && (JSON.parse(body) as { outputs: { text: string }[] }).outputs[0]?.text !== expected) {
            mismatches++;
          }
          if (status === 429 && headers?.["retry-after"] === undefined) retryAfterMissing++;
        },
      },
    ],
  });
  const status: Record<string, number> = {};
  const byCode = result.statusCodeStats as unknown as Record<string, { count: number } | undefined>;
  for (const [code, stats] of Object.entries(byCode)) status[code] = stats?.count ?? 0;
  return {
    clients,
    seconds,
    requests: result.requests.total,
    throughputPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    status,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches,
    retryAfterMissing,
  };
}

const fivexx = (phase: Phase): number =>
  Object.entries(phase.status).reduce((n, [code, count]) => n + (code.startsWith("5") ? count : 0), 0);

// Acceptance 1: dynamic batching under 1, 16 and 64 clients.
const server = await startServer(["--max-batch", "16", "--max-queue", "256"]);
const one = await load(server.url, 1, shortSeconds);
const sixteen = await load(server.url, 16, shortSeconds);
const sixtyFour = await load(server.url, 64, mainSeconds);
const exitAfterLoad = await stopServer(server);

// Acceptance 2: 10x more clients than --max-queue.
const maxQueue = 8;
const overloaded = await startServer(["--max-batch", "4", "--max-queue", String(maxQueue)]);
const before = await load(overloaded.url, 1, shortSeconds);
const rssBefore = rssMiB(overloaded.child.pid!);
const rssSamples: number[] = [];
const sampler = setInterval(() => rssSamples.push(rssMiB(overloaded.child.pid!)), 250);
const burst = await load(overloaded.url, 10 * maxQueue, shortSeconds);
clearInterval(sampler);
const afterBurst = await load(overloaded.url, 1, shortSeconds);
const rssAfter = rssMiB(overloaded.child.pid!);
const exitAfterOverload = await stopServer(overloaded);
rmSync(dir, { recursive: true, force: true });

const results = {
  benchmark: "warmstart serve on loopback (benchmarks/serve.ts), autocannon",
  provenance: runProvenance(loadBefore, date, here),
  loadavgAfter: loadavg(),
  totalMemoryGiB: Math.round(totalmem() / 2 ** 30),
  model: { ...config, weights: "random (seed 1)", input, settings, expectedOutput: expected },
  acceptance1: {
    phases: [one, sixteen, sixtyFour],
    throughputRatio16vs1: sixteen.throughputPerSecond / one.throughputPerSecond,
    fivexx: fivexx(one) + fivexx(sixteen) + fivexx(sixtyFour),
    mismatches: one.mismatches + sixteen.mismatches + sixtyFour.mismatches,
    serverExitCode: exitAfterLoad,
  },
  acceptance2: {
    maxQueue,
    clients: 10 * maxQueue,
    before,
    burst,
    after: afterBurst,
    rssMiB: { before: rssBefore, maxDuringBurst: Math.max(...rssSamples), after: rssAfter, samples: rssSamples.length },
    p50RecoveredRatio: afterBurst.latencyMs.p50 / before.latencyMs.p50,
    serverExitCode: exitAfterOverload,
  },
};
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `1 client ${one.throughputPerSecond.toFixed(1)} req/s, 16 clients ${sixteen.throughputPerSecond.toFixed(1)} req/s ` +
    `(x${results.acceptance1.throughputRatio16vs1.toFixed(2)}), 64 clients ${sixtyFour.throughputPerSecond.toFixed(1)} req/s ` +
    `p50 ${sixtyFour.latencyMs.p50} ms p99 ${sixtyFour.latencyMs.p99} ms; 5xx ${results.acceptance1.fivexx}, mismatches ` +
    `${results.acceptance1.mismatches}; overload: 429 ${burst.status["429"] ?? 0} of ${burst.requests}, RSS ` +
    `${rssBefore.toFixed(0)} → max ${results.acceptance2.rssMiB.maxDuringBurst.toFixed(0)} MiB; → ${values.out}`,
);
