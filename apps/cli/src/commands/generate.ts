import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { readLines } from "../io/read-lines.js";
import { addGenerationOptions, generationConfigOf, type GenerationFlags } from "../models/generation-options.js";

interface GenerateOptions extends CommonOptions, GenerationFlags {
  model: string;
  input: string;
  output?: string;
}

export function registerGenerate(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    addGenerationOptions(
      program
        .command("generate")
        .description("Text in, text out: one input per line (a file or stdin), one output line per input.")
        .requiredOption("--model <dir|id>", "an encoder-decoder folder (from compose, train or the demo) or Hub id")
        .option("--input <file|->", "input texts, one per line; - is stdin", "-")
        .option("--output <file>", "write the outputs here instead of stdout"),
    ),
  ).addHelpText(
    "after",
    examples([
      'echo "the cat sat . it was tired ." | warmstart generate --model ./demo-output/models/BERT2BERT',
      "warmstart generate --model ./bert2bert --input sources.txt --num-beams 4 --max-length 64 --no-repeat-ngram-size 3",
      "warmstart generate --model ./bert2gpt2 --input - --do-sample --top-p 0.9 --seed 1 --json < sources.txt",
    ]),
  );
  defineAction<GenerateOptions>(command, io, state, async (ctx, _args, options) => {
    const inputs = await readLines(options.input, "--input");
    if (inputs.length === 0) {
      throw new CliError("BAD_INPUT", `--input ${options.input} holds no lines`, {
        hint: "give one input text per line",
      });
    }
    const { loadComposed, generateAll } = await import("../models/run-generation.js");
    const { model, tokenizers } = await loadComposed(ctx, options.model, options);
    let outputs: string[];
    try {
      outputs = await generateAll(
        ctx,
        model,
        tokenizers,
        inputs,
        generationConfigOf(options),
        options.batchSize,
        options.maxSourceLength,
      );
    } finally {
      model.dispose();
    }
    if (options.output !== undefined) await writeFile(options.output, `${outputs.join("\n")}\n`, "utf8");
    else if (!ctx.json) ctx.print(outputs.join("\n"));
    ctx.result({ ok: true, outputs: inputs.map((input, i) => ({ input, output: outputs[i] })) });
  });
}
