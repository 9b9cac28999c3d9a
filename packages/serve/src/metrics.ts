import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one), so that several
 * servers in one process, as in the tests, do not share or clash over counters.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "warmstart_http_requests_total",
    help: "HTTP requests answered, by route and status code",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "warmstart_queue_depth",
    help: "Inputs waiting for a batch",
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "warmstart_requests_in_flight",
    help: "Generate requests accepted and not yet answered",
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "warmstart_requests_rejected_total",
    help: "Generate requests refused with 429 because the queue was full",
    registers: [this.registry],
  });
  readonly cancelled = new Counter({
    name: "warmstart_requests_cancelled_total",
    help: "Generate requests cancelled, by reason (deadline, disconnect, shutdown)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly generatedTokens = new Counter({
    name: "warmstart_generated_tokens_total",
    help: "Tokens generated (eos included, padding excluded)",
    registers: [this.registry],
  });
  readonly tokensPerSecond = new Gauge({
    name: "warmstart_tokens_per_second",
    help: "Generated tokens per second of the last batch (rate(warmstart_generated_tokens_total[1m]) for an average)",
    registers: [this.registry],
  });
  readonly batches = new Counter({
    name: "warmstart_batches_total",
    help: "generate() calls run",
    registers: [this.registry],
  });
  readonly batchRows = new Histogram({
    name: "warmstart_batch_rows",
    help: "Inputs per generate() call",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "warmstart_request_duration_seconds",
    help: "Time from a generate request's arrival to its answer, by status code",
    labelNames: ["status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  recordBatch(rows: number, tokens: number, ms: number): void {
    this.batches.inc();
    this.batchRows.observe(rows);
    this.generatedTokens.inc(tokens);
    if (ms > 0) this.tokensPerSecond.set((tokens * 1000) / ms);
  }
}
