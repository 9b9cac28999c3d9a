import { CliError } from "../framework/cli-error.js";

export const METRIC_NAMES = ["rouge", "bleu", "sari", "exact-match"] as const;
export type CliMetric = (typeof METRIC_NAMES)[number];

/** `rouge,sari` → checked list. */
export function parseMetrics(text: string): CliMetric[] {
  const names = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) {
      throw new CliError("USAGE", `unknown metric "${name}"`, {
        hint: `use one or more of ${METRIC_NAMES.join(", ")} (comma-separated)`,
      });
    }
  }
  if (names.length === 0) {
    throw new CliError("USAGE", "--metric is empty", { hint: `use one or more of ${METRIC_NAMES.join(", ")}` });
  }
  return [...new Set(names)] as CliMetric[];
}

export interface ScoreInput {
  predictions: readonly string[];
  /** references[i]: the references of example i. */
  references: readonly (readonly string[])[];
  sources?: readonly string[] | undefined;
}

/**
 * Scores as the Hugging Face `evaluate` metrics report them, on a 0-100 scale: ROUGE F-measures (mid of the
 * seeded bootstrap), sacreBLEU, SARI, exact match.
 */
export async function score(
  metrics: readonly CliMetric[],
  input: ScoreInput,
): Promise<Record<string, number | string>> {
  const evaluation = await import("@warmstart/evaluation");
  const out: Record<string, number | string> = {};
  for (const metric of metrics) {
    if (metric === "rouge") {
      const result = evaluation.rouge(input.predictions, input.references);
      for (const [type, triple] of Object.entries(result)) {
        if (triple !== undefined) out[type] = 100 * triple.mid.fmeasure;
      }
    } else if (metric === "bleu") {
      const result = evaluation.bleu(input.predictions, input.references);
      out.bleu = result.score;
      out.bleu_signature = result.signature;
    } else if (metric === "sari") {
      if (input.sources === undefined) {
        throw new CliError("USAGE", "SARI compares predictions with the sources as well as the references", {
          hint: "add --sources FILE (one source per line)",
        });
      }
      out.sari = evaluation.sari(input.sources, input.predictions, input.references).sari;
    } else {
      const result = evaluation.exactMatch(
        input.predictions,
        input.references.map((r) => r[0] ?? ""),
      );
      out.exact_match = 100 * result.exactMatch;
    }
  }
  return out;
}

/** `rouge2 21.37  sari 40.12`, in a stable order. */
export function formatScores(scores: Record<string, number | string>): string {
  return Object.entries(scores)
    .map(([k, v]) => `${k.padEnd(16)} ${typeof v === "number" ? v.toFixed(2) : v}`)
    .join("\n");
}
