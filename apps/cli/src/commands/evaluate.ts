import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { readLines } from "../io/read-lines.js";
import { formatScores, parseMetrics, score } from "../metrics/score.js";
import { addGenerationOptions, generationConfigOf, type GenerationFlags } from "../models/generation-options.js";
import { addColumnOptions, readExamples, type ColumnFlags } from "../models/read-examples.js";
import { counted } from "../framework/plural.js";

interface EvaluateOptions extends CommonOptions, GenerationFlags, ColumnFlags {
  metric: string;
  predictions?: string;
  references?: string[];
  sources?: string;
  model?: string;
  data?: string;
  limit?: number;
  save?: string;
}

export function registerEvaluate(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    addGenerationOptions(
      addColumnOptions(
        program
          .command("evaluate")
          .description(
            "Score predictions against references (ROUGE, BLEU, SARI, exact match), or generate with a model and score.",
          )
          .requiredOption("--metric <names>", "rouge, bleu, sari or exact-match; several comma-separated")
          .option("--predictions <file>", "one prediction per line")
          .option(
            "--references <files...>",
            "one reference per line; several files give several references per example",
          )
          .option("--sources <file>", "one source per line (needed by SARI)")
          .option("--model <dir|id>", "generate the predictions with this encoder-decoder")
          .option("--data <file>", "with --model: JSONL, CSV or TSV of source/target pairs"),
      ),
    ).option("--save <file>", "with --model: also write the predictions, one per line"),
  ).addHelpText(
    "after",
    examples([
      "warmstart evaluate --metric rouge --predictions pred.txt --references ref.txt",
      "warmstart evaluate --metric sari,rouge --sources src.txt --predictions pred.txt --references ref1.txt ref2.txt --json",
      "warmstart evaluate --metric bleu --predictions - --references ref.txt < pred.txt",
      "warmstart evaluate --metric sari --model ./fused --data test.jsonl --num-beams 4",
    ]),
  );
  defineAction<EvaluateOptions>(command, io, state, async (ctx, _args, options) => {
    const metrics = await parseMetrics(options.metric);
    let predictions: string[];
    let references: string[][];
    let sources: string[] | undefined;
    if (options.model !== undefined) {
      if (options.data === undefined) {
        throw new CliError("USAGE", "--model needs --data (the examples to generate for)", {
          hint: "add --data test.jsonl",
        });
      }
      if (options.predictions !== undefined) {
        throw new CliError("USAGE", "give either --predictions or --model, not both", { hint: "drop one of them" });
      }
      const generation = generationConfigOf(options);
      const examples = await readExamples(options.data, options, ctx);
      const { loadComposed, generateAll } = await import("../models/run-generation.js");
      const { model, tokenizers } = await loadComposed(ctx, options.model, options);
      try {
        predictions = await generateAll(
          ctx,
          model,
          tokenizers,
          examples.map((e) => e.source),
          generation,
          options.batchSize,
          options.maxSourceLength,
        );
      } finally {
        model.dispose();
      }
      references = examples.map((e) => [e.target]);
      sources = examples.map((e) => e.source);
      if (options.save !== undefined) {
        const { writeFile } = await import("node:fs/promises");
        await writeFile(options.save, `${predictions.join("\n")}\n`, "utf8");
      }
    } else {
      if (options.predictions === undefined || options.references === undefined) {
        throw new CliError("USAGE", "give --predictions and --references files (or --model with --data)", {
          hint: "see `warmstart evaluate --help`",
        });
      }
      predictions = await readLines(options.predictions, "--predictions");
      const referenceFiles = await Promise.all(options.references.map((f) => readLines(f, "--references")));
      sources = options.sources === undefined ? undefined : await readLines(options.sources, "--sources");
      const check = (lines: readonly string[], name: string): void => {
        if (lines.length !== predictions.length) {
          throw new CliError(
            "LENGTH_MISMATCH",
            `${name} has ${counted(lines.length, "line")} but --predictions has ${predictions.length}`,
            {
              hint: "the files must be line-aligned: one example per line",
            },
          );
        }
      };
      referenceFiles.forEach((lines, i) => check(lines, `--references ${options.references?.[i] ?? ""}`));
      if (sources !== undefined) check(sources, "--sources");
      if (predictions.length === 0) {
        throw new CliError("BAD_INPUT", "--predictions is empty", { hint: "give at least one line" });
      }
      references = predictions.map((_, i) => referenceFiles.map((lines) => lines[i] as string));
    }
    const scores = await score(metrics, { predictions, references, sources });
    ctx.print(formatScores(scores));
    ctx.result({ ok: true, examples: predictions.length, scores });
  });
}
