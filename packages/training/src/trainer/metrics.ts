import { computeMetrics, selectMetrics } from "@warmstart/evaluation";
import { TrainingError } from "../errors.js";
import type { Seq2SeqExample } from "../data/read-pairs.js";

/**
 * A metric of the @warmstart/evaluation registry (`sari`, `rouge`, `bleu`, `exact_match`, or one registered with
 * `registerMetric`), or one of its scores (`rouge1`, `rouge2`, `rougeL`, `rougeLsum`). All 0-100, higher is better.
 */
export type Seq2SeqMetricName =
  "sari" | "rouge" | "rouge1" | "rouge2" | "rougeL" | "rougeLsum" | "bleu" | (string & {});

/** Checks metric names against the registry, so a typo fails when the trainer is built, not at the first evaluation. */
export function checkSeq2SeqMetrics(names: readonly string[]): void {
  try {
    selectMetrics(names);
  } catch (e) {
    throw new TrainingError("INVALID_OPTION", `evaluation.metrics: ${(e as Error).message}`);
  }
}

/**
 * The numeric scores of `names` (see `computeMetrics`) for predictions against the examples' targets (one reference
 * each, the sources for SARI), keyed by score name: what the trainer logs as `eval_<score>`. String extras such as
 * `bleu_signature` are left out: the trainer's results are numbers.
 */
export function seq2seqScores(
  names: readonly Seq2SeqMetricName[],
  predictions: readonly string[],
  examples: readonly Seq2SeqExample[],
): Record<string, number> {
  const scores = computeMetrics(names, {
    predictions,
    references: examples.map((e) => [e.target]),
    sources: examples.map((e) => e.source),
  });
  return Object.fromEntries(
    Object.entries(scores).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
  );
}

/** One score (a score name, or a metric with a single score such as `sari`) of predictions against the examples. */
export function seq2seqMetric(
  name: Seq2SeqMetricName,
  predictions: string[],
  examples: readonly Seq2SeqExample[],
): number {
  checkSeq2SeqMetrics([name]);
  const [selection] = selectMetrics([name]);
  if (selection === undefined || selection.scores.length !== 1) {
    throw new TrainingError(
      "INVALID_OPTION",
      `metric ${JSON.stringify(name)} reports several scores (${selection?.scores.join(", ")}): name one of them`,
    );
  }
  return seq2seqScores([name], predictions, examples)[selection.scores[0]!]!;
}
