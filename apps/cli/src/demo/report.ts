import type { DemoBudget } from "./budget.js";
import type { FusionExample } from "./fusion-task.js";

/** A score on the 0-100 scale with its 95% bootstrap interval over the scored test examples. */
export interface IntervalScore {
  score: number;
  low: number;
  high: number;
}

/** The scores the table reports, in its column order, with their display names. */
export const DEMO_METRICS = [
  { key: "sari", label: "SARI" },
  { key: "exact_match", label: "exact match" },
  { key: "bleu", label: "BLEU" },
  { key: "rouge2", label: "ROUGE-2" },
] as const;
export type DemoMetric = (typeof DEMO_METRICS)[number]["key"];

export interface CompositionResult {
  name: string;
  parameters: { total: number; leveraged: number; random: number; tied: number };
  scores: Record<DemoMetric, IntervalScore>;
  finalLoss: number | null;
  /** Validation loss (teacher-forced, on the first validation examples) at the evaluation steps, step 0 included. */
  validationLoss: { step: number; loss: number }[];
  fineTuneSeconds: number;
  /** Seconds spent generating and scoring the test examples. */
  evaluationSeconds: number;
  /** Predictions on the scored test examples, in order. */
  predictions: string[];
}

export interface DemoResults {
  budget: string;
  /** The budget's every setting (steps, batch, learning rate, lengths, …): what the run did, for the record. */
  settings: DemoBudget;
  seed: number;
  /** Where the pre-trained checkpoints came from (bundled with their provenance, or the Hub). */
  checkpoints: { origin: string; pretraining: { model: string; steps: number; finalLoss: number | null }[] };
  data: {
    train: number;
    validation: number;
    test: number;
    scored: number;
    documents: { train: number; validation: number; test: number };
  };
  /** Copying the input: SARI rewards it (it keeps every kept word), exact match and BLEU show what it is worth. */
  baseline: { name: string; scores: Record<DemoMetric, IntervalScore> };
  compositions: CompositionResult[];
  /** Wall and CPU seconds per phase (each composition's fine-tuning and scoring). */
  phases: { phase: string; seconds: number; cpuSeconds: number }[];
  seconds: number;
}

const count = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);

/** "63.1 [61.9, 64.2]": the score and its 95% interval. */
export function formatInterval(s: IntervalScore): string {
  return `${s.score.toFixed(1)} [${s.low.toFixed(1)}, ${s.high.toFixed(1)}]`;
}

/** The paper-style table: parameters random / leveraged / total, then each score with its 95% interval. */
export function resultsTable(results: DemoResults): string {
  const metricCells = (scores: Record<DemoMetric, IntervalScore>): string[] =>
    DEMO_METRICS.map((m) => formatInterval(scores[m.key]));
  const rows = [
    [results.baseline.name, "-", "-", "-", ...metricCells(results.baseline.scores), "-"],
    ...results.compositions.map((c) => [
      c.name,
      count(c.parameters.random),
      count(c.parameters.leveraged),
      count(c.parameters.total),
      ...metricCells(c.scores),
      c.finalLoss === null ? "n/a" : c.finalLoss.toFixed(3),
    ]),
  ];
  const header = ["model", "random", "leveraged", "total", ...DEMO_METRICS.map((m) => m.label), "train loss"];
  return [
    `| ${header.join(" | ")} |`,
    `|---|${header
      .slice(1)
      .map(() => "---:")
      .join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** An output as the report shows it: an empty one named as such, not a blank. */
export function shownOutput(text: string | undefined): string {
  return text === undefined || text.trim() === "" ? "*(empty output)*" : text;
}

/** A few test inputs with the reference and each model's output. */
export function examplesSection(results: DemoResults, test: readonly FusionExample[], howMany: number): string {
  const blocks: string[] = [];
  for (let i = 0; i < Math.min(howMany, test.length); i++) {
    const e = test[i] as FusionExample;
    const lines = [`**${e.direction}** (${e.document}): ${e.source}`, "", `- reference: ${e.target}`];
    for (const c of results.compositions) lines.push(`- ${c.name}: ${shownOutput(c.predictions[i])}`);
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

function pretrainingLine(checkpoints: DemoResults["checkpoints"]): string {
  const parts = checkpoints.pretraining.map(
    (p) => `${p.model} ${p.steps} steps (final loss ${p.finalLoss === null ? "n/a" : p.finalLoss.toFixed(3)})`,
  );
  return `Checkpoints: ${checkpoints.origin}${parts.length > 0 ? `; ${parts.join(", ")}` : ""}.`;
}

/** The whole Markdown report (also what the terminal shows). */
export function markdownReport(results: DemoResults, test: readonly FusionExample[]): string {
  const d = results.data;
  return [
    `# warmstart demo (${results.budget})`,
    "",
    "Sentence fusion / splitting on held-out Brown Corpus documents (DiscoFuse / WikiSplit style). Every composition is",
    "warm-started from the same pre-trained checkpoints (or random weights) and fine-tuned with the same budget; scores",
    "are on every scored test example (0-100, greedy decoding) with 95% bootstrap intervals, against the references as",
    "each model's tokenizer writes them (an uncased BERT tokenizer lower-cases and strips accents; exact match and",
    "BLEU would otherwise count case).",
    "",
    `Data: ${d.train} / ${d.validation} / ${d.test} examples (train / validation / test) from ${d.documents.train} / ${d.documents.validation} / ${d.documents.test} documents, ${d.scored} scored. Seed ${results.seed}.`,
    pretrainingLine(results.checkpoints),
    "",
    resultsTable(results),
    "",
    "## Examples",
    "",
    examplesSection(results, test, 3),
    "",
    `Total time: ${Math.round(results.seconds)} s.`,
    "",
  ].join("\n");
}
