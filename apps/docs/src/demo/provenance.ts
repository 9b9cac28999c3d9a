// What apps/docs/demo-model/provenance.json records about the committed demo model: which `warmstart demo` run
// fine-tuned it, its test scores in that run, how the page generates with it, and a hash of every file. Written by
// scripts/import-demo-model.ts, checked by scripts/generate.ts when it copies the folder into the site, read by the
// page. Browser-safe: no node: imports.
import { WarmstartError } from "@warmstart/core";

export class DemoProvenanceError extends WarmstartError<"INVALID_PROVENANCE"> {
  override readonly name = "DemoProvenanceError";
}

/** A score on the 0-100 scale with its 95% bootstrap interval, as the demo's results.json writes it. */
export interface DemoScore {
  score: number;
  low: number;
  high: number;
}

export type DemoMetricKey = "sari" | "exact_match" | "bleu" | "rouge2";

export const DEMO_METRIC_KEYS: readonly DemoMetricKey[] = ["sari", "exact_match", "bleu", "rouge2"];

/** One test example of the demo's task, offered on the page as an example input. */
export interface DemoExample {
  direction: "fuse" | "split";
  kind: string;
  source: string;
  reference: string;
}

export interface DemoProvenance {
  format: 1;
  /** The composition's name in the demo (BERTShare, BERT2GPT2, …). */
  composition: string;
  /** The `warmstart demo` run the model comes from, as its results.json describes it. */
  run: {
    budget: string;
    seed: number;
    /** Where the run's pre-trained checkpoints came from, and their pre-training. */
    checkpoints: { origin: string; pretraining: { model: string; steps: number; finalLoss: number | null }[] };
    data: { train: number; validation: number; test: number; scored: number };
    fineTuneSteps: number;
    finalLoss: number | null;
    /** sha256 of the run's results.json. */
    resultsSha256: string;
  };
  parameters: { total: number; leveraged: number; random: number; tied: number };
  /** Test scores of the model in that run (float32, greedy), on `run.data.scored` examples. */
  scores: Record<DemoMetricKey, DemoScore>;
  /** The run's baseline: copying the input. */
  baseline: Record<DemoMetricKey, DemoScore>;
  /** How the page generates: greedy search, source truncated to maxInputLength tokens, at most maxLength tokens. */
  generation: { numBeams: 1; maxLength: number; maxInputLength: number };
  /** model.safetensors is stored in half precision, each tensor tied between encoder and decoder once. */
  storage: {
    dtype: "F16";
    tensors: number;
    /** Largest |float32 − widened F16| over every weight. */
    maxAbsDifference: number;
    /** Greedy outputs of the F16 copy equal to the float32 model's, over the first test examples. */
    sameGreedyOutputs: { same: number; of: number };
  };
  examples: DemoExample[];
  /** Every other file of the folder: size and sha256. */
  files: Record<string, { bytes: number; sha256: string }>;
  imported: { at: string; command: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks the fields the page and the build read; the rest is documentation. */
export function parseDemoProvenance(json: unknown, source = "provenance.json"): DemoProvenance {
  const fail = (what: string): never => {
    throw new DemoProvenanceError("INVALID_PROVENANCE", `${source}: ${what}`);
  };
  if (!isRecord(json)) return fail("expected a JSON object");
  if (json.format !== 1) fail(`format is ${JSON.stringify(json.format)}, expected 1`);
  if (typeof json.composition !== "string") fail("composition must be a string");
  const scores = json.scores;
  if (!isRecord(scores)) return fail("scores must be an object");
  for (const key of DEMO_METRIC_KEYS) {
    const score = scores[key];
    if (!isRecord(score) || typeof score.score !== "number") fail(`scores.${key}.score must be a number`);
  }
  const generation = json.generation;
  if (!isRecord(generation)) return fail("generation must be an object");
  if (generation.numBeams !== 1) fail("generation.numBeams must be 1 (the page searches greedily)");
  for (const key of ["maxLength", "maxInputLength"]) {
    const value = generation[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      fail(`generation.${key} must be a positive integer`);
    }
  }
  if (!Array.isArray(json.examples)) fail("examples must be an array");
  for (const [i, example] of (json.examples as unknown[]).entries()) {
    if (
      !isRecord(example) ||
      (example.direction !== "fuse" && example.direction !== "split") ||
      typeof example.source !== "string" ||
      typeof example.reference !== "string"
    ) {
      fail(`examples[${i}] needs direction "fuse" or "split", source and reference`);
    }
  }
  const files = json.files;
  if (!isRecord(files)) return fail("files must be an object");
  for (const [name, entry] of Object.entries(files)) {
    if (!isRecord(entry) || typeof entry.sha256 !== "string" || typeof entry.bytes !== "number") {
      fail(`files["${name}"] needs bytes and sha256`);
    }
  }
  return json as unknown as DemoProvenance;
}
