import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { decimal, integer } from "../framework/option-parsers.js";
import { requireFile } from "../io/read-lines.js";
import { PRESETS, resolveConfigArgument } from "../models/presets.js";
import { trainerLog } from "../models/trainer-log.js";
import { warnStepsOverrideEpochs, warnWarmupLongerThanTraining } from "../models/schedule-warnings.js";
import { counted } from "../framework/plural.js";

interface PretrainFlags extends CommonOptions {
  objective: string;
  config: string;
  text: string[];
  validation?: string[];
  out: string;
  tokenizer?: string;
  vocabSize: number;
  lowercase?: boolean;
  blockSize: number;
  batchSize: number;
  steps?: number;
  epochs?: number;
  lr: number;
  warmupSteps: number;
  mlmProbability?: number;
  saveSteps?: number;
  evalSteps?: number;
  loggingSteps: number;
  seed: number;
  resume?: string | boolean;
}

export function registerPretrain(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("pretrain")
      .description(
        "Pre-train a small BERT / RoBERTa (masked LM) or GPT-2 (causal LM) on plain text, with a trained tokenizer; writes a Hub-layout folder.",
      )
      .requiredOption("--objective <mlm|clm>", "mlm (BERT, RoBERTa) or clm (GPT-2)")
      .requiredOption(
        "--config <preset|json>",
        `architecture: ${Object.keys(PRESETS).join(", ")}, a shipped config or a config.json`,
      )
      .requiredOption("--text <files...>", "plain-text training files, one or more sentences per line")
      .requiredOption("--out <dir>", "output folder (config.json, model.safetensors, tokenizer, checkpoints)")
      .option("--validation <files...>", "held-out text for an evaluation loss")
      .option("--tokenizer <dir|id>", "use this tokenizer instead of training one")
      .option("--vocab-size <n>", "size of the tokenizer to train", integer(100, 1_000_000), 4000)
      .option("--lowercase", "lower-case text in a trained tokenizer")
      .option("--block-size <n>", "tokens per training sequence", integer(8, 100_000), 64)
      .option("--batch-size <n>", "sequences per step", integer(1, 100_000), 16)
      .option("--steps <n>", "optimizer steps (default: one epoch)", integer(1))
      .option("--epochs <n>", "passes over the text when --steps is not given", integer(1))
      .option("--lr <x>", "peak learning rate", decimal({ min: 0, exclusiveMin: true, max: 1 }), 5e-4)
      .option("--warmup-steps <n>", "linear warm-up steps", integer(0), 0)
      .option(
        "--mlm-probability <x>",
        "masked LM: share of tokens chosen for prediction (default 0.15; small budgets do better with more)",
        decimal({ min: 0, exclusiveMin: true, max: 1 }),
      )
      .option("--save-steps <n>", "checkpoint every this many steps", integer(1))
      .option("--eval-steps <n>", "evaluate on --validation every this many steps", integer(1))
      .option("--logging-steps <n>", "log the loss every this many steps", integer(1), 10)
      .option("--seed <n>", "seed of initialisation, masking and data order", integer(0), 0)
      .option("--resume [checkpoint]", "continue from a checkpoint folder in --out (default: the latest)"),
  ).addHelpText(
    "after",
    examples([
      "warmstart pretrain --objective mlm --config tiny-bert --text corpus.txt --out ./tiny-bert --steps 500",
      "warmstart pretrain --objective clm --config tiny-gpt2 --text a.txt b.txt --vocab-size 8000 --out ./tiny-gpt2",
      "warmstart pretrain --objective mlm --config my-config.json --text corpus.txt --out ./bert --resume",
    ]),
  );
  defineAction<PretrainFlags>(command, io, state, async (ctx, _args, flags) => {
    if (flags.objective !== "mlm" && flags.objective !== "clm") {
      throw new CliError("USAGE", `--objective must be mlm or clm, got "${flags.objective}"`, {
        hint: "mlm for BERT/RoBERTa, clm for GPT-2",
      });
    }
    if (flags.objective === "clm" && flags.mlmProbability !== undefined) {
      throw new CliError(
        "USAGE",
        "--mlm-probability applies to --objective mlm only: a causal LM predicts every token",
        {
          hint: "drop --mlm-probability, or use --objective mlm",
        },
      );
    }
    const config = await resolveConfigArgument(flags.config);
    const type = config.model_type;
    // Each objective pre-trains the families registered with it (@warmstart/composer's model-family registry).
    const { modelFamilies } = await import("@warmstart/composer");
    const pretrainable = modelFamilies().filter((f) => f.pretraining?.objective === flags.objective);
    if (!pretrainable.some((f) => f.modelType === type)) {
      const other = flags.objective === "mlm" ? "clm" : "mlm";
      throw new CliError(
        "USAGE",
        `--objective ${flags.objective} pre-trains ${pretrainable.map((f) => f.displayName).join(" or ")}, ` +
          `but --config ${flags.config} is ${String(type)}`,
        { hint: `use --objective ${other}, or a ${pretrainable.map((f) => f.modelType).join("/")} config` },
      );
    }
    warnStepsOverrideEpochs(ctx, flags);
    // With --epochs the step count is known only once the text is tokenised (inside pretrain): checked with --steps.
    if (flags.steps !== undefined) warnWarmupLongerThanTraining(ctx, flags.warmupSteps, flags.steps, flags.lr);
    for (const f of [...flags.text, ...(flags.validation ?? [])]) await requireFile(f, "--text");
    const { startBackend } = await import("../models/backend.js");
    const { pretrain } = await import("@warmstart/training");
    await startBackend(ctx);
    const tokenizer =
      flags.tokenizer === undefined
        ? {
            vocabSize: flags.vocabSize,
            ...(flags.lowercase === true ? { lowercase: true } : {}),
            showProgress: ctx.libraryProgress,
          }
        : await (await import("@warmstart/tokenizers")).AutoTokenizer.fromPretrained(flags.tokenizer);
    const progress = trainerLog(ctx, `pretrain ${String(type)} (${flags.objective})`);
    const result = await pretrain({
      objective: flags.objective,
      config,
      textFiles: flags.text,
      ...(flags.validation === undefined ? {} : { validationFiles: flags.validation }),
      tokenizer,
      outputDir: flags.out,
      blockSize: flags.blockSize,
      batchSize: flags.batchSize,
      ...(flags.steps === undefined ? {} : { maxSteps: flags.steps }),
      ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
      learningRate: flags.lr,
      warmupSteps: flags.warmupSteps,
      ...(flags.mlmProbability === undefined ? {} : { mlmProbability: flags.mlmProbability }),
      ...(flags.saveSteps === undefined ? {} : { saveSteps: flags.saveSteps }),
      ...(flags.evalSteps === undefined ? {} : { evalSteps: flags.evalSteps }),
      loggingSteps: flags.loggingSteps,
      seed: flags.seed,
      log: progress.log,
      ...(flags.resume === undefined ? {} : { resumeFrom: flags.resume === true ? "latest" : String(flags.resume) }),
    });
    progress.finish();
    const finalLoss = result.losses[result.losses.length - 1];
    ctx.print(
      `pre-trained ${String(type)} for ${counted(result.globalStep, "step")} on ${counted(result.blocks, "block")}; final loss ${finalLoss?.toFixed(4) ?? "n/a"}; saved to ${result.outputDir}`,
    );
    ctx.result({
      ok: true,
      outputDir: result.outputDir,
      steps: result.globalStep,
      blocks: result.blocks,
      finalLoss: finalLoss ?? null,
      vocabSize: result.tokenizer.vocabSize,
      losses: result.losses,
    });
  });
}
