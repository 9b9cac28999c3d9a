import { CliError } from "../framework/cli-error.js";

/**
 * The metrics `evaluate --metric` and `train --metric` accept are those of @warmstart/evaluation's registry (the
 * built-in rouge, bleu, sari, exact_match, and any added with `registerMetric`), by metric name or score name.
 * Names match case-insensitively, with `-` for `_` (`exact-match`, the spelling this command has always taken).
 */
async function registeredName(text: string, flag: string, oneScore: boolean): Promise<string> {
  const { metricNames, scoreNames } = await import("@warmstart/evaluation");
  const wanted = text.toLowerCase().replaceAll("-", "_");
  const known = [...new Set([...metricNames(), ...scoreNames()])];
  const found = known.find((name) => name === text) ?? known.find((name) => name.toLowerCase() === wanted);
  if (found === undefined) {
    throw new CliError("USAGE", `unknown ${flag} "${text}"`, {
      hint: oneScore
        ? `use one of ${scoreNames().join(", ")}`
        : `use one or more of ${metricNames().join(", ")} (or a score: ${scoreNames().join(", ")})`,
    });
  }
  return found;
}

/** `rouge,sari` → the registry names, checked, each once. */
export async function parseMetrics(text: string): Promise<string[]> {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) {
    const { metricNames } = await import("@warmstart/evaluation");
    throw new CliError("USAGE", "--metric is empty", { hint: `use one or more of ${metricNames().join(", ")}` });
  }
  const resolved: string[] = [];
  for (const name of names) resolved.push(await registeredName(name, "metric", false));
  return [...new Set(resolved)];
}

/**
 * `train --metric`: the one score that picks the best checkpoint, so a metric of several scores (`rouge`) must be
 * narrowed to one of them (`rouge2`).
 */
export async function parseTrainingMetric(text: string): Promise<string> {
  const name = await registeredName(text.trim(), "--metric", true);
  const { selectMetrics } = await import("@warmstart/evaluation");
  const [selection] = selectMetrics([name]);
  if (selection !== undefined && selection.scores.length > 1) {
    throw new CliError("USAGE", `--metric ${name} reports several scores; the best checkpoint needs one`, {
      hint: `use one of ${selection.scores.join(", ")}`,
    });
  }
  return selection?.scores[0] ?? name;
}

export interface ScoreInput {
  predictions: readonly string[];
  /** references[i]: the references of example i. */
  references: readonly (readonly string[])[];
  sources?: readonly string[] | undefined;
}

/**
 * Scores by the registry (`computeMetrics`), on its 0-100 scale: ROUGE F-measures (mid of the seeded bootstrap),
 * sacreBLEU, SARI, exact match.
 */
export async function score(metrics: readonly string[], input: ScoreInput): Promise<Record<string, number | string>> {
  const { computeMetrics, selectMetrics } = await import("@warmstart/evaluation");
  if (input.sources === undefined) {
    const needing = selectMetrics(metrics).find((s) => s.metric.needsSources === true);
    if (needing !== undefined) {
      throw new CliError(
        "USAGE",
        `${needing.metric.name} compares predictions with the sources as well as the references`,
        { hint: "add --sources FILE (one source per line)" },
      );
    }
  }
  return computeMetrics(metrics, input);
}

/** `rouge2 21.37  sari 40.12`, in a stable order. */
export function formatScores(scores: Record<string, number | string>): string {
  return Object.entries(scores)
    .map(([k, v]) => `${k.padEnd(16)} ${typeof v === "number" ? v.toFixed(2) : v}`)
    .join("\n");
}
