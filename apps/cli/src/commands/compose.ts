import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { integer } from "../framework/option-parsers.js";
import { isFolder, isShippedName } from "../models/locate.js";
import { refuseNonEmptyOutput } from "../models/output-folder.js";
import { parsePart } from "../models/part-spec.js";
import { decoderSpecialTokens, saveTokenizers } from "../models/tokenizers.js";
import type { CommandContext } from "../framework/context.js";

interface ComposeOptions extends CommonOptions {
  tie?: boolean;
  out?: string;
  dryRun?: boolean;
  seed: number;
  overwrite?: boolean;
  /** A tokenizer folder or id; false with --no-tokenizer (save a model folder without one, on purpose). */
  tokenizer?: string | false;
}

export function registerCompose(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("compose")
      .description(
        "Warm-start an encoder-decoder from two checkpoints: print the load report and the random / leveraged / tied parameter table, and save it.",
      )
      .argument("<encoder>", "encoder: Hub id, local folder, or rnd[:<config>] for a randomly initialised part")
      .argument("<decoder>", "decoder: Hub id, local folder, or rnd[:<config>]")
      .option("--tie", "tie encoder and decoder weights (BERTShare, RoBERTaShare)")
      .option(
        "--out <dir>",
        "save the composed model (config.json, generation_config.json, model.safetensors, tokenizer)",
      )
      .option(
        "--dry-run",
        "only count parameters from the configs; reads no weights (offline for bert-base-uncased, bert-base-cased, roberta-base, gpt2)",
      )
      .option("--seed <n>", "seed of the random initialisation", integer(0), 0)
      .option("--overwrite", "replace what a non-empty --out holds (a training run's checkpoints and log are removed)")
      .option("--tokenizer <dir|id>", "tokenizer for random parts (Rnd2Rnd has no checkpoint to take one from)")
      .option(
        "--no-tokenizer",
        "with two random parts: save --out without a tokenizer (train and generate then need --tokenizer)",
      ),
  ).addHelpText(
    "after",
    examples([
      "warmstart compose bert-base-uncased bert-base-uncased --dry-run --json",
      "warmstart compose bert-base-cased bert-base-cased --tie --dry-run",
      "warmstart compose bert-base-cased gpt2 --out ./bert2gpt2",
      "warmstart compose ./my-bert rnd:./my-bert/config.json --out ./bert2rnd",
      "warmstart compose rnd:./my-bert/config.json rnd:./my-bert/config.json --tokenizer ./my-bert --out ./rnd2rnd",
    ]),
  );
  defineAction<ComposeOptions>(command, io, state, async (ctx, [encoderText, decoderText], options) => {
    const encoder = await parsePart(encoderText as string);
    const decoder = await parsePart(decoderText as string);
    const tie = options.tie === true;
    const tokenizer = typeof options.tokenizer === "string" ? options.tokenizer : null;
    if (
      options.out !== undefined &&
      encoder.spec === null &&
      decoder.spec === null &&
      options.tokenizer === undefined
    ) {
      // Otherwise the folder would hold no tokenizer, and train / generate refuse it (exit 4) only later.
      throw new CliError(
        "USAGE",
        `${encoder.label} and ${decoder.label} are both random: no checkpoint to take a tokenizer from, so --out ${options.out} would have none`,
        {
          hint: "pass --tokenizer <dir|id> (the vocabulary the model will be trained with), or --no-tokenizer to save it without one",
        },
      );
    }
    const partOptions = {
      tieEncoderDecoder: tie,
      ...(encoder.config === undefined ? {} : { encoderConfig: encoder.config }),
      ...(decoder.config === undefined ? {} : { decoderConfig: decoder.config }),
    };
    if (options.dryRun === true) {
      if (options.out !== undefined) {
        throw new CliError("USAGE", "--dry-run reads no weights, so there is nothing to save with --out", {
          hint: "drop --dry-run or --out",
        });
      }
      const { describeComposition, formatCompositionReport } = await import("@warmstart/composer");
      for (const part of [encoder, decoder]) {
        if (typeof part.spec === "string" && !(await isShippedName(part.spec)) && !isFolder(part.spec)) {
          throw new CliError(
            "UNKNOWN_MODEL",
            `--dry-run needs a local folder or a shipped config, got "${part.spec}"`,
            {
              hint: "use bert-base-uncased, bert-base-cased, roberta-base, gpt2 or a downloaded folder, or drop --dry-run to download",
            },
          );
        }
      }
      const report = await describeComposition(encoder.spec, decoder.spec, partOptions);
      ctx.print(
        `${encoder.label} → ${decoder.label}${tie ? " (tied)" : ""}, from configs only\n${formatCompositionReport(report)}`,
      );
      ctx.result({ ok: true, encoder: encoder.label, decoder: decoder.label, tie, dryRun: true, ...report });
      return;
    }
    const { initBackend } = await import("@warmstart/tensors");
    if (options.out !== undefined) {
      await refuseNonEmptyOutput(ctx, options.out, { overwrite: options.overwrite === true, command: "compose" });
    }
    const { EncoderDecoderModel, formatCompositionReport } = await import("@warmstart/composer");
    await initBackend();
    ctx.log(`loading ${encoder.label} → ${decoder.label}${tie ? " (tied)" : ""}`);
    const special = await recipeTokens(decoder.spec ?? encoder.spec ?? tokenizer, ctx);
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(encoder.spec, decoder.spec, {
      ...partOptions,
      ...special,
      seed: options.seed,
    });
    try {
      const report = model.warmStartReport();
      ctx.print(formatCompositionReport(report));
      let saved: { dir: string; tokenizers: string[] } | null = null;
      if (options.out !== undefined) {
        await model.savePretrained(options.out);
        const tokenizers = await saveTokenizers(options.out, encoder.spec ?? tokenizer, decoder.spec ?? tokenizer, ctx);
        saved = { dir: options.out, tokenizers };
        ctx.print(`saved to ${options.out}`);
      }
      ctx.result({ ok: true, encoder: encoder.label, decoder: decoder.label, tie, dryRun: false, ...report, saved });
    } finally {
      model.dispose();
    }
  });
}

/** The decoder's start / end / pad ids from its tokenizer, when it has one; otherwise the configs decide. */
async function recipeTokens(
  spec: string | null | object,
  ctx: CommandContext,
): Promise<Awaited<ReturnType<typeof decoderSpecialTokens>>> {
  if (typeof spec !== "string") return {};
  try {
    const { AutoTokenizer } = await import("@warmstart/tokenizers");
    return await decoderSpecialTokens(await AutoTokenizer.fromPretrained(spec));
  } catch (error) {
    ctx.debug(`no decoder tokenizer for special tokens: ${(error as Error).message}`);
    return {};
  }
}
