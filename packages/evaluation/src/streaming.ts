/**
 * Streaming forms of the metrics for evaluations too large to hold at once: `add(batch)` as often as
 * needed, then `compute()`. Each keeps only what its score needs (BLEU: summed statistics; SARI and exact
 * match: a running sum; ROUGE: one score triple per example and type, for the bootstrap), and computes it
 * with the same code and in the same order as the one-shot functions, so results are identical.
 */
import { BleuStatisticsCollector, resolveBleuOptions, type BleuOptions, type BleuResult } from "./bleu.js";
import type { BootstrapOptions } from "./bootstrap.js";
import { EvaluationError } from "./errors.js";
import { exactMatchNormalizer, isExactMatch, type ExactMatchOptions, type ExactMatchResult } from "./exact-match.js";
import {
  aggregateRouge,
  assertRougeReferences,
  RougeScorer,
  scoreRougeExamples,
  type RougeAggregate,
  type RougeOptions,
  type RougeScores,
} from "./rouge.js";
import { sariSentence, type SariResult } from "./sari.js";
import { assertNonEmpty, assertReferenceLists, assertSameLength, assertStringArray } from "./validate.js";

export interface StreamingMetric<Batch, Result> {
  /** Adds examples; returns the metric so calls can be chained. */
  add(batch: Batch): this;
  /** The score over every example added so far; adding more afterwards is allowed. */
  compute(): Result;
  /** Number of examples added. */
  readonly count: number;
}

export interface RougeBatch {
  predictions: readonly string[];
  references: readonly (string | readonly string[])[];
}

export interface BleuBatch {
  predictions: readonly string[];
  references: readonly (readonly string[])[];
}

export interface SariBatch {
  sources: readonly string[];
  predictions: readonly string[];
  references: readonly (readonly string[])[];
}

export interface ExactMatchBatch {
  predictions: readonly string[];
  references: readonly string[];
}

function assertBatch(batch: unknown): asserts batch is Record<string, unknown> {
  if (typeof batch !== "object" || batch === null) {
    throw new EvaluationError("INVALID_ARGUMENT", "batch must be an object such as { predictions, references }", {
      argument: "batch",
    });
  }
}

export class StreamingRouge implements StreamingMetric<RougeBatch, RougeAggregate | RougeScores[]> {
  private readonly scorer: RougeScorer;
  private readonly options: RougeOptions;
  private readonly scores: RougeScores[] = [];

  constructor(options: RougeOptions = {}) {
    this.scorer = new RougeScorer(options);
    this.options = { ...options };
  }

  get count(): number {
    return this.scores.length;
  }

  add(batch: RougeBatch): this {
    assertBatch(batch);
    assertStringArray(batch.predictions, "predictions", this.count);
    assertRougeReferences(batch.references, this.count);
    assertSameLength({ predictions: batch.predictions, references: batch.references });
    this.scores.push(...scoreRougeExamples(this.scorer, batch.predictions, batch.references));
    return this;
  }

  compute(): RougeAggregate | RougeScores[] {
    if (this.options.useAggregator === false) return this.scores.map((s) => ({ ...s }));
    return aggregateRouge(this.scorer.rougeTypes, this.scores, this.options as BootstrapOptions);
  }
}

export class StreamingBleu implements StreamingMetric<BleuBatch, BleuResult> {
  private readonly collector: BleuStatisticsCollector;

  constructor(options: BleuOptions = {}) {
    this.collector = new BleuStatisticsCollector(resolveBleuOptions(options, false));
  }

  get count(): number {
    return this.collector.segments;
  }

  add(batch: BleuBatch): this {
    assertBatch(batch);
    const offset = this.count;
    assertStringArray(batch.predictions, "predictions", offset);
    assertReferenceLists(batch.references, "references", offset);
    assertSameLength({ predictions: batch.predictions, references: batch.references });
    batch.predictions.forEach((p, i) => this.collector.add(p, batch.references[i] as readonly string[], offset + i));
    return this;
  }

  compute(): BleuResult {
    assertNonEmpty(this.count, "predictions");
    return this.collector.result();
  }
}

export class StreamingSari implements StreamingMetric<SariBatch, SariResult> {
  private total = 0;
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(batch: SariBatch): this {
    assertBatch(batch);
    assertStringArray(batch.sources, "sources", this.n);
    assertStringArray(batch.predictions, "predictions", this.n);
    assertReferenceLists(batch.references, "references", this.n);
    assertSameLength({ sources: batch.sources, predictions: batch.predictions, references: batch.references });
    for (let i = 0; i < batch.predictions.length; i++) {
      this.total += sariSentence(
        batch.sources[i] as string,
        batch.predictions[i] as string,
        batch.references[i] as readonly string[],
      );
    }
    this.n += batch.predictions.length;
    return this;
  }

  compute(): SariResult {
    assertNonEmpty(this.n, "predictions");
    return { sari: 100 * (this.total / this.n) };
  }
}

export class StreamingExactMatch implements StreamingMetric<ExactMatchBatch, ExactMatchResult> {
  private readonly normalize: (text: string) => string;
  private matches = 0;
  private n = 0;

  constructor(options: ExactMatchOptions = {}) {
    this.normalize = exactMatchNormalizer(options);
  }

  get count(): number {
    return this.n;
  }

  add(batch: ExactMatchBatch): this {
    assertBatch(batch);
    assertStringArray(batch.predictions, "predictions", this.n);
    assertStringArray(batch.references, "references", this.n);
    assertSameLength({ predictions: batch.predictions, references: batch.references });
    for (let i = 0; i < batch.predictions.length; i++) {
      if (isExactMatch(batch.predictions[i] as string, batch.references[i] as string, this.normalize)) this.matches++;
    }
    this.n += batch.predictions.length;
    return this;
  }

  compute(): ExactMatchResult {
    assertNonEmpty(this.n, "predictions");
    return { exactMatch: this.matches / this.n };
  }
}

export type MetricName = "rouge" | "bleu" | "sari" | "exact_match";

/** `createMetric(name, options)`: the streaming form of a metric by its Hugging Face name. */
export function createMetric(name: "rouge", options?: RougeOptions): StreamingRouge;
export function createMetric(name: "bleu", options?: BleuOptions): StreamingBleu;
export function createMetric(name: "sari", options?: Record<string, never>): StreamingSari;
export function createMetric(name: "exact_match", options?: ExactMatchOptions): StreamingExactMatch;
export function createMetric(
  name: MetricName,
  options: RougeOptions | BleuOptions | ExactMatchOptions = {},
): StreamingRouge | StreamingBleu | StreamingSari | StreamingExactMatch {
  switch (name) {
    case "rouge":
      return new StreamingRouge(options as RougeOptions);
    case "bleu":
      return new StreamingBleu(options as BleuOptions);
    case "sari":
      return new StreamingSari();
    case "exact_match":
      return new StreamingExactMatch(options as ExactMatchOptions);
    default:
      throw new EvaluationError(
        "UNKNOWN_METRIC",
        `unknown metric ${JSON.stringify(name)}; expected rouge, bleu, sari or exact_match`,
        { argument: "name" },
      );
  }
}
