import { bleu, rouge, sari } from "@warmstart/evaluation";
import { TrainingError } from "../errors.js";
import type { Seq2SeqExample } from "../data/read-pairs.js";

/** Metrics the Seq2SeqTrainer knows by name (all 0-100, higher is better). */
export type Seq2SeqMetricName = "sari" | "rouge1" | "rouge2" | "rougeL" | "bleu";

/**
 * Scores predictions against the examples' targets (one reference each): SARI also needs the sources;
 * ROUGE is the F-measure of the aggregate's mid value, ×100 as the HF scripts report it.
 */
export function seq2seqMetric(
  name: Seq2SeqMetricName,
  predictions: string[],
  examples: readonly Seq2SeqExample[],
): number {
  const references = examples.map((e) => e.target);
  switch (name) {
    case "sari":
      return sari(
        examples.map((e) => e.source),
        predictions,
        references.map((r) => [r]),
      ).sari;
    case "rouge1":
    case "rouge2":
    case "rougeL": {
      const scores = rouge(predictions, references, { rougeTypes: [name] });
      const triple = scores[name];
      if (triple === undefined) throw new TrainingError("INVALID_STATE", `rouge returned no ${name}`);
      return 100 * triple.mid.fmeasure;
    }
    case "bleu":
      return bleu(
        predictions,
        references.map((r) => [r]),
      ).score;
    default:
      throw new TrainingError(
        "INVALID_OPTION",
        `unknown metric ${JSON.stringify(name)}; use sari, rouge1, rouge2, rougeL or bleu`,
      );
  }
}
