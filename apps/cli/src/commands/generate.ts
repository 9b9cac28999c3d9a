import { writeFile } from "node:fs/promises";
import type { BaseStreamer } from "@warmstart/composer";
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
  stream?: boolean;
}

export function registerGenerate(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    addGenerationOptions(
      program
        .command("generate")
        .description("Text in, text out: one input per line (a file or stdin), one output line per input.")
        .requiredOption("--model <dir|id>", "an encoder-decoder folder (from compose, train or the demo) or Hub id")
        .option("--input <file|->", "input texts, one per line; - is stdin", "-")
        .option("--output <file>", "write the outputs here instead of stdout")
        .option("--stream", "print the output as it is generated (one input, no beam search)"),
    ),
  ).addHelpText(
    "after",
    examples([
      'echo "the cat sat . it was tired ." | warmstart generate --model ~/.cache/warmstart/demo/models/BERTShare',
      "warmstart generate --model ./bert2bert --input sources.txt --num-beams 4 --max-length 64 --no-repeat-ngram-size 3",
      "warmstart generate --model ./bert2gpt2 --input - --do-sample --top-p 0.9 --seed 1 --json < sources.txt",
      'echo "the cat sat . it was tired ." | warmstart generate --model ./fused --stream --max-new-tokens 40',
    ]),
  );
  defineAction<GenerateOptions>(command, io, state, async (ctx, _args, options) => {
    if (options.stream === true) checkStreamFlags(options);
    const generation = generationConfigOf(options);
    const inputs = await readLines(options.input, "--input");
    if (inputs.length === 0) {
      throw new CliError("BAD_INPUT", `--input ${options.input} holds no lines`, {
        hint: "give one input text per line",
      });
    }
    if (options.stream === true && inputs.length > 1) {
      throw new CliError(
        "USAGE",
        `--stream generates for one input, but --input ${options.input} holds ${inputs.length} lines`,
        {
          hint: "give one line, or drop --stream",
        },
      );
    }
    const { loadComposed, generateAll } = await import("../models/run-generation.js");
    const { model, tokenizers } = await loadComposed(ctx, options.model, options);
    let streamer: BaseStreamer | undefined;
    if (options.stream === true) {
      const { TextStreamer } = await import("@warmstart/composer");
      // Text as soon as it cannot change, as transformers' TextStreamer prints it; the newline ends the output.
      streamer = new TextStreamer(tokenizers.target, {
        skipPrompt: true,
        decodeOptions: { skipSpecialTokens: true },
        onText: (text, streamEnd) => {
          const piece = streamEnd ? `${text}\n` : text;
          if (piece !== "") ctx.stdout.write(piece);
        },
      });
    }
    let outputs: string[];
    try {
      outputs = await generateAll(
        ctx,
        model,
        tokenizers,
        inputs,
        generation,
        options.batchSize,
        options.maxSourceLength,
        streamer,
      );
    } catch (error) {
      // The checkpoint's generation_config.json can ask for beam search without --num-beams.
      if (streamer !== undefined && error instanceof Error && /streamer/.test(error.message)) {
        throw new CliError("USAGE", `--stream: ${error.message}`, {
          hint: "the model's generation_config.json sets num_beams > 1: add --num-beams 1, or drop --stream",
        });
      }
      throw error;
    } finally {
      model.dispose();
    }
    if (options.output !== undefined) await writeFile(options.output, `${outputs.join("\n")}\n`, "utf8");
    else if (!ctx.json && streamer === undefined) ctx.print(outputs.join("\n"));
    ctx.result({ ok: true, outputs: inputs.map((input, i) => ({ input, output: outputs[i] })) });
  });
}

/** --stream prints tokens of one greedy or sampled output to stdout: beams, --json and --output do not fit. */
function checkStreamFlags(options: GenerateOptions): void {
  if (options.numBeams !== undefined && options.numBeams > 1) {
    throw new CliError(
      "USAGE",
      `--stream cannot be used with --num-beams ${options.numBeams}: beam search picks its output only at the end`,
      {
        hint: "use --num-beams 1 (greedy) or --do-sample to stream, or drop --stream",
      },
    );
  }
  for (const [flag, set] of [
    ["--json", options.json === true],
    ["--output", options.output !== undefined],
  ] as const) {
    if (set) {
      throw new CliError(
        "USAGE",
        `--stream prints to stdout as the text is generated; it cannot be combined with ${flag}`,
        {
          hint: `drop --stream to get ${flag === "--json" ? "the JSON result" : "an output file"}`,
        },
      );
    }
  }
}
