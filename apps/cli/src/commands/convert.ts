import type { Command } from "commander";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";

interface ConvertOptions extends CommonOptions {
  out?: string;
}

export function registerConvert(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("convert")
      .description(
        "Turn a model saved with PyTorch weights (pytorch_model.bin, or sharded pytorch_model.bin.index.json) into a " +
          "folder with model.safetensors; config and tokenizer files are copied. The pickles are read without " +
          "executing anything.",
      )
      .argument("<model>", "Hub id or local folder holding pytorch_model.bin (or its index)")
      .option("--out <dir>", "folder to write (must not exist, or be empty)"),
  ).addHelpText(
    "after",
    examples([
      "warmstart convert ./old-bert2bert --out ./bert2bert-safetensors",
      "warmstart convert patrickvonplaten/bert2bert_cnn_daily_mail --out ./bert2bert_cnn --json",
    ]),
  );
  defineAction<ConvertOptions>(command, io, state, async (ctx, [model], options) => {
    if (options.out === undefined) {
      throw new CliError("USAGE", "convert needs --out DIR, the folder to write", {
        hint: "e.g. `warmstart convert ./old-model --out ./old-model-safetensors`",
      });
    }
    const { convertToSafetensors } = await import("@warmstart/composer");
    ctx.log(`converting ${model!} → ${options.out}`);
    const report = await convertToSafetensors(model!, options.out);
    const dtypes = Object.entries(report.dtypes)
      .map(([dtype, n]) => `${n} ${dtype}`)
      .join(", ");
    const widened = Object.keys(report.dtypes).filter((d) => d !== "F32" && d !== "I32");
    ctx.print(
      `${report.out}: model.safetensors with ${report.tensors} tensors (${dtypes}) from ${report.weightFiles.join(", ")}; ` +
        `copied ${report.copied.length > 0 ? report.copied.join(", ") : "no other files"}`,
    );
    if (widened.length > 0) ctx.warn(`${widened.join(", ")} tensors were written as float32 / int32, as they are read`);
    if (report.skipped.length > 0) ctx.warn(`not copied: ${report.skipped.join(", ")}`);
    ctx.result({ ok: true, ...report });
  });
}
