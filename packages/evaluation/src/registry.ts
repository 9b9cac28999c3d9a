/**
 * The metric registry: the one table of metrics, by name, that everything which scores predictions by name uses
 * (`warmstart evaluate --metric`, `warmstart train --metric`, the Seq2SeqTrainer's `evaluation.metrics`).
 *
 * The scale, decided once: every score of the registry is 0-100, higher is better. That is the scale sacreBLEU and
 * Hugging Face `evaluate`'s `sacrebleu` and `sari` report, and the one Hugging Face's example scripts log ROUGE and
 * exact match on (`run_summarization.py` multiplies `evaluate`'s 0-1 ROUGE by 100 before it becomes
 * `eval_rouge1`; `run_qa.py` logs `eval_exact_match` 0-100), so a trainer's `eval_*` values compare with theirs.
 * The one-shot functions (`rouge()`, `exactMatch()`) keep the 0-1 of the `evaluate` module they port.
 */
import { bleu } from "./bleu.js";
import { EvaluationError } from "./errors.js";
import { exactMatch } from "./exact-match.js";
import { rouge, type RougeType } from "./rouge.js";
import { sari } from "./sari.js";
import { assertReferenceLists } from "./validate.js";

/** What a registered metric scores: parallel arrays, one entry per example. */
export interface MetricInput {
  predictions: readonly string[];
  /** `references[i]`: the references of example `i` (at least one). */
  references: readonly (readonly string[])[];
  /** The inputs the predictions were made from; needed by metrics with `needsSources` (SARI). */
  sources?: readonly string[] | undefined;
}

/** A metric as the registry holds it. */
export interface MetricDefinition {
  /** What users select it by (`--metric NAME`, `metrics: [NAME]`): no whitespace, no comma. */
  readonly name: string;
  /**
   * The numeric scores it reports, each on the registry's 0-100 scale, higher is better; each can also be selected
   * by itself (`rouge2`). A metric with one score usually names it after itself (`sari`).
   */
  readonly scores: readonly string[];
  /** True when `compute` needs `input.sources`. */
  readonly needsSources?: boolean;
  /**
   * Computes the scores asked for (a non-empty subset of `scores`, in that order). May add string-valued extras
   * (BLEU's `bleu_signature`); every asked score must come back as a finite number.
   */
  compute(input: MetricInput, scores: readonly string[]): Record<string, number | string>;
}

/** One metric of a selection and the scores asked of it. */
export interface MetricSelection {
  metric: MetricDefinition;
  scores: string[];
}

const registry = new Map<string, MetricDefinition>();
/** Score name → the metric that reports it. */
const scoreOwners = new Map<string, MetricDefinition>();

function checkDefinition(definition: unknown): asserts definition is MetricDefinition {
  const invalid = (what: string): EvaluationError =>
    new EvaluationError("INVALID_ARGUMENT", `registerMetric: ${what}`, { argument: "definition" });
  if (typeof definition !== "object" || definition === null) throw invalid("expected { name, scores, compute }");
  const d = definition as Partial<MetricDefinition>;
  const validName = (name: unknown): boolean => typeof name === "string" && /^[^\s,]+$/.test(name);
  if (!validName(d.name)) {
    throw invalid(`name must be a non-empty string without whitespace or comma, got ${JSON.stringify(d.name)}`);
  }
  if (!Array.isArray(d.scores) || d.scores.length === 0 || !d.scores.every(validName)) {
    throw invalid(`scores of ${d.name} must be a non-empty list of names without whitespace or comma`);
  }
  if (new Set(d.scores).size !== d.scores.length) throw invalid(`scores of ${d.name} repeat a name`);
  if (typeof d.compute !== "function") throw invalid(`compute of ${d.name} must be a function`);
}

/**
 * Adds a metric to the registry, usable from then on by every consumer by its name or by any of its score names.
 * A name or score name already taken by another metric is an error (`DUPLICATE_METRIC`): metrics are never
 * replaced, so one name always means one computation.
 */
export function registerMetric(definition: MetricDefinition): void {
  checkDefinition(definition);
  const taken = [definition.name, ...definition.scores].filter((name) => {
    const owner = registry.get(name) ?? scoreOwners.get(name);
    return owner !== undefined;
  });
  if (taken.length > 0) {
    throw new EvaluationError(
      "DUPLICATE_METRIC",
      `registerMetric: ${taken.map((n) => JSON.stringify(n)).join(", ")} already name a registered metric or score; ` +
        `registered: ${metricNames().join(", ")}`,
      { argument: "definition.name" },
    );
  }
  const frozen: MetricDefinition = Object.freeze({ ...definition, scores: Object.freeze([...definition.scores]) });
  registry.set(frozen.name, frozen);
  for (const score of frozen.scores) scoreOwners.set(score, frozen);
}

/** The registered metric names, in registration order (the built-in ones first). */
export function metricNames(): string[] {
  return [...registry.keys()];
}

/** Every score name of every registered metric, in registration order. */
export function scoreNames(): string[] {
  return [...scoreOwners.keys()];
}

/** The metric registered as `name`; `UNKNOWN_METRIC` otherwise. */
export function getMetric(name: string): MetricDefinition {
  const metric = registry.get(name);
  if (metric === undefined) throw unknownMetric(name);
  return metric;
}

function unknownMetric(name: string): EvaluationError {
  return new EvaluationError(
    "UNKNOWN_METRIC",
    `unknown metric ${JSON.stringify(name)}; registered metrics: ${metricNames().join(", ")} ` +
      `(or one of their scores: ${scoreNames().join(", ")})`,
    { argument: "metrics" },
  );
}

/**
 * Resolves names — metric names (all of its scores) or score names (that one) — to the metrics to run, each
 * once, in the order first named, with the scores asked of it.
 */
export function selectMetrics(names: readonly string[]): MetricSelection[] {
  if (!Array.isArray(names) || names.length === 0) {
    throw new EvaluationError("INVALID_ARGUMENT", `metrics must be a non-empty list of metric names`, {
      argument: "metrics",
    });
  }
  const selections: MetricSelection[] = [];
  for (const name of names) {
    const metric = typeof name === "string" ? (registry.get(name) ?? scoreOwners.get(name)) : undefined;
    if (metric === undefined) throw unknownMetric(String(name));
    const asked = registry.has(name) ? metric.scores : [name];
    let selection = selections.find((s) => s.metric === metric);
    if (selection === undefined) {
      selection = { metric, scores: [] };
      selections.push(selection);
    }
    for (const score of asked) if (!selection.scores.includes(score)) selection.scores.push(score);
  }
  // The metric's own order, whatever order the names came in.
  for (const s of selections) s.scores.sort((a, b) => s.metric.scores.indexOf(a) - s.metric.scores.indexOf(b));
  return selections;
}

/**
 * Scores `input` with the named metrics and scores (see `selectMetrics`), on the registry's 0-100 scale:
 * `{ rouge1: 41.2, …, bleu: 27.3, bleu_signature: "…" }`. A metric that needs sources without `input.sources`
 * is an `INVALID_ARGUMENT` naming `sources`.
 */
export function computeMetrics(names: readonly string[], input: MetricInput): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const { metric, scores } of selectMetrics(names)) {
    if (metric.needsSources === true && input.sources === undefined) {
      throw new EvaluationError(
        "INVALID_ARGUMENT",
        `${metric.name} compares predictions with the sources as well as the references: pass sources`,
        { argument: "sources" },
      );
    }
    const result = metric.compute(input, scores);
    for (const score of scores) {
      const value = result[score];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new EvaluationError(
          "INVALID_METRIC_RESULT",
          `metric ${metric.name} returned ${JSON.stringify(value)} for its score ${score}, expected a finite number`,
          { argument: score },
        );
      }
    }
    Object.assign(out, result);
  }
  return out;
}

// The built-in metrics. ROUGE reports the mid F-measure of the seeded bootstrap, as Hugging Face's `rouge` does.
registerMetric({
  name: "rouge",
  scores: ["rouge1", "rouge2", "rougeL", "rougeLsum"],
  compute(input, scores) {
    const result = rouge(input.predictions, input.references, { rougeTypes: scores as RougeType[] });
    const out: Record<string, number> = {};
    for (const type of scores) {
      const triple = result[type as RougeType];
      if (triple !== undefined) out[type] = 100 * triple.mid.fmeasure;
    }
    return out;
  },
});
registerMetric({
  name: "bleu",
  scores: ["bleu"],
  compute(input) {
    const result = bleu(input.predictions, input.references);
    return { bleu: result.score, bleu_signature: result.signature };
  },
});
registerMetric({
  name: "sari",
  scores: ["sari"],
  needsSources: true,
  compute(input) {
    return { sari: sari(input.sources ?? [], input.predictions, input.references).sari };
  },
});
registerMetric({
  name: "exact_match",
  scores: ["exact_match"],
  // Hugging Face's `exact_match` takes one reference per example: the first one here.
  compute(input) {
    assertReferenceLists(input.references, "references");
    return {
      exact_match:
        100 *
        exactMatch(
          input.predictions,
          input.references.map((r) => r[0] as string),
        ).exactMatch,
    };
  },
});
