import type { FusionExample } from "./fusion-task.js";
import { counted } from "../framework/plural.js";

export interface CompositionResult {
  name: string;
  parameters: { total: number; leveraged: number; random: number; tied: number };
  sari: number;
  rouge2: number;
  finalLoss: number | null;
  fineTuneSeconds: number;
  /** Seconds spent generating and scoring the test examples. */
  evaluationSeconds: number;
  /** Predictions on the test examples, in order. */
  predictions: string[];
}

export interface DemoResults {
  budget: string;
  seed: number;
  data: { pretrainSentences: number; train: number; validation: number; test: number; scored: number };
  /** GPT-2 is pre-trained only when BERT2GPT2 is among the compositions run. */
  pretraining: {
    bert: { steps: number; finalLoss: number | null };
    gpt2: { steps: number; finalLoss: number | null } | null;
  };
  compositions: CompositionResult[];
  /** Wall and CPU seconds per phase (pre-training, each composition's fine-tuning and scoring). */
  phases: { phase: string; seconds: number; cpuSeconds: number }[];
  seconds: number;
}

const count = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);

/** The paper-style table: parameters random / leveraged / total, then SARI and ROUGE-2 on the test split. */
export function resultsTable(results: DemoResults): string {
  const rows = results.compositions.map((c) => [
    c.name,
    count(c.parameters.random),
    count(c.parameters.leveraged),
    count(c.parameters.total),
    c.sari.toFixed(2),
    c.rouge2.toFixed(2),
    c.finalLoss === null ? "n/a" : c.finalLoss.toFixed(3),
  ]);
  const header = ["model", "random", "leveraged", "total", "SARI", "ROUGE-2", "train loss"];
  return [
    `| ${header.join(" | ")} |`,
    `|---|${header
      .slice(1)
      .map(() => "---:")
      .join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** A few test inputs with the reference and each model's output. */
export function examplesSection(results: DemoResults, test: readonly FusionExample[], howMany: number): string {
  const blocks: string[] = [];
  for (let i = 0; i < Math.min(howMany, test.length); i++) {
    const e = test[i] as FusionExample;
    const lines = [`**${e.direction}** (${e.document}): ${e.source}`, "", `- reference: ${e.target}`];
    for (const c of results.compositions) lines.push(`- ${c.name}: ${c.predictions[i] ?? ""}`);
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

function pretrainingLine({ bert, gpt2 }: DemoResults["pretraining"]): string {
  const loss = (value: number | null): string => value?.toFixed(3) ?? "n/a";
  const gpt2Part =
    gpt2 === null ? "" : `, GPT-2 ${counted(gpt2.steps, "step")} (final CLM loss ${loss(gpt2.finalLoss)})`;
  return `Pre-training: BERT ${counted(bert.steps, "step")} (final MLM loss ${loss(bert.finalLoss)})${gpt2Part}.`;
}

/** The whole Markdown report (also what the terminal shows). */
export function markdownReport(results: DemoResults, test: readonly FusionExample[]): string {
  const d = results.data;
  return [
    `# warmstart demo (${results.budget})`,
    "",
    "Sentence fusion / splitting on held-out Brown Corpus documents (DiscoFuse / WikiSplit style), after pre-training a",
    "small BERT (masked LM) and GPT-2 (causal LM) on the other documents. Every composition is fine-tuned with the same",
    "budget; scores are on the test documents (SARI and ROUGE-2 F, 0-100, greedy decoding).",
    "",
    `Data: ${d.pretrainSentences} pre-training sentences; ${d.train} / ${d.validation} / ${d.test} task examples (train / validation / test), ${d.scored} scored. Seed ${results.seed}.`,
    pretrainingLine(results.pretraining),
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
