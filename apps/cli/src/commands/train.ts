import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { decimal, integer } from "../framework/option-parsers.js";
import { addColumnOptions, readExamples, type ColumnFlags } from "../models/read-examples.js";
import { fineTune } from "../models/fine-tune.js";
import { claimTrainingOutput } from "../models/output-folder.js";
import { warnStepsOverrideEpochs } from "../models/schedule-warnings.js";
import { counted } from "../framework/plural.js";
import { parseTrainingMetric } from "../metrics/score.js";

interface TrainFlags extends CommonOptions, ColumnFlags {
  model: string;
  train: string;
  eval?: string;
  out: string;
  maxSourceLength: number;
  maxTargetLength: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  steps?: number;
  epochs?: number;
  evalSteps?: number;
  saveSteps?: number;
  loggingSteps: number;
  metric?: string;
  numBeams: number;
  seed: number;
  tokenizer?: string;
  decoderTokenizer?: string;
  resume?: string | boolean;
  saveTotalLimit?: number;
  overwrite?: boolean;
  skipBadLines?: boolean;
}

export function registerTrain(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    addColumnOptions(
      program
        .command("train")
        .description(
          "Fine-tune an encoder-decoder (from `compose`) on source/target pairs, with evaluation, checkpoints and resume.",
        )
        .requiredOption("--model <dir|id>", "encoder-decoder folder with its tokenizer (warmstart compose … --out DIR)")
        .requiredOption("--train <file>", "training pairs: JSONL, CSV or TSV")
        .option("--eval <file>", "evaluation pairs, same format")
        .requiredOption("--out <dir>", "output folder: the fine-tuned model, checkpoints, training_log.jsonl"),
    )
      .option("--max-source-length <n>", "truncate sources to this many tokens", integer(2, 100_000), 128)
      .option("--max-target-length <n>", "truncate targets to this many tokens", integer(2, 100_000), 128)
      .option("--batch-size <n>", "examples per step", integer(1, 100_000), 16)
      .option("--lr <x>", "peak learning rate", decimal({ min: 0, exclusiveMin: true, max: 1 }), 5e-5)
      .option("--warmup-steps <n>", "linear warm-up steps", integer(0), 0)
      .option("--steps <n>", "optimizer steps (default: --epochs passes)", integer(1))
      .option("--epochs <n>", "passes over the training data when --steps is not given", integer(1))
      .option("--eval-steps <n>", "evaluate every this many steps", integer(1))
      .option("--save-steps <n>", "checkpoint every this many steps", integer(1))
      .option(
        "--save-total-limit <n>",
        "keep at most this many checkpoints: the newest, and the best one when --metric is tracked (HF's save_total_limit)",
        integer(1),
      )
      .option("--logging-steps <n>", "log the loss every this many steps", integer(1), 10)
      .option(
        "--metric <name>",
        "score generated outputs at evaluation and keep the best checkpoint by it: a score of the metric registry, " +
          "e.g. sari, rouge2, bleu, exact_match (default: loss only)",
      )
      .option("--num-beams <n>", "beams for predict-with-generate", integer(1, 64), 1)
      .option("--seed <n>", "seed of data order and dropout", integer(0), 42)
      .option("--tokenizer <dir|id>", "encoder tokenizer (default: the model folder's)")
      .option(
        "--decoder-tokenizer <dir|id>",
        "decoder tokenizer (default: <model>/decoder_tokenizer, else the encoder's)",
      )
      .option("--resume [checkpoint]", "continue from a checkpoint in --out (default: the latest)")
      .option("--overwrite", "replace what a non-empty --out holds (the earlier run's model, checkpoints and log)")
      .option(
        "--skip-bad-lines",
        "leave malformed rows of --train / --eval out (their count is printed) instead of stopping",
      ),
  ).addHelpText(
    "after",
    examples([
      "warmstart train --model ./bert2bert --train train.jsonl --eval dev.jsonl --out ./fused --steps 2000 --eval-steps 500 --metric sari",
      "warmstart train --model ./bert2gpt2 --train pairs.csv --source-column text --target-column summary --out ./summ --epochs 3",
      "warmstart train --model ./bert2bert --train train.jsonl --out ./fused --steps 2000 --resume",
    ]),
  );
  defineAction<TrainFlags>(command, io, state, async (ctx, _args, flags) => {
    const metric = flags.metric === undefined ? undefined : await parseTrainingMetric(flags.metric);
    if (flags.metric !== undefined && flags.eval === undefined) {
      throw new CliError("USAGE", "--metric needs --eval data", { hint: "add --eval dev.jsonl" });
    }
    warnStepsOverrideEpochs(ctx, flags);
    const output = await claimTrainingOutput(ctx, {
      out: flags.out,
      model: flags.model,
      overwrite: flags.overwrite === true,
      resume: flags.resume !== undefined,
    });
    const badLines = flags.skipBadLines === true ? "skip" : "fail";
    const train = await readExamples(flags.train, flags, ctx, "--train", badLines);
    const evaluation =
      flags.eval === undefined ? undefined : await readExamples(flags.eval, flags, ctx, "--eval", badLines);
    const { loadComposed } = await import("../models/run-generation.js");
    const { model, tokenizers } = await loadComposed(ctx, flags.model, flags);
    try {
      const result = await fineTune(ctx, {
        model,
        tokenizers,
        train,
        evaluation,
        out: flags.out,
        batchSize: flags.batchSize,
        learningRate: flags.lr,
        warmupSteps: flags.warmupSteps,
        steps: flags.steps,
        epochs: flags.epochs,
        maxSourceLength: flags.maxSourceLength,
        maxTargetLength: flags.maxTargetLength,
        seed: flags.seed,
        loggingSteps: flags.loggingSteps,
        saveSteps: flags.saveSteps,
        saveTotalLimit: flags.saveTotalLimit,
        evalSteps: flags.evalSteps,
        metric,
        numBeams: flags.numBeams,
        resume: flags.resume === undefined ? undefined : flags.resume === true ? "latest" : String(flags.resume),
        label: "fine-tune",
      });
      const { saveTokenizerPair } = await import("../models/tokenizers.js");
      await saveTokenizerPair(flags.out, tokenizers);
      ctx.print(
        `trained for ${counted(result.globalStep, "step")}; final loss ${result.losses.at(-1)?.toFixed(4) ?? "n/a"}; saved to ${flags.out}`,
      );
      ctx.result({ ok: true, outputDir: flags.out, ...result });
    } finally {
      model.dispose();
      await output.release();
    }
  });
}
