import type { Command } from "commander";
import type { Seq2SeqExample } from "@warmstart/training";
import { CliError } from "../framework/cli-error.js";
import type { CommandContext } from "../framework/context.js";
import { requireFile } from "../io/read-lines.js";

export interface ColumnFlags {
  sourceColumn: string;
  targetColumn: string;
}

/** --source-column / --target-column, shared by the commands that read pairs. */
export function addColumnOptions(command: Command): Command {
  return command
    .option(
      "--source-column <name>",
      "source column of the pairs (name, or 0-based index for headerless CSV/TSV)",
      "source",
    )
    .option("--target-column <name>", "target column of the pairs", "target");
}

/** A column given as digits is a 0-based position (headerless CSV/TSV); anything else is a name. */
function columnRef(text: string): string | number {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/**
 * What to do with malformed rows: "skip" reports them (with their count and first line numbers) and goes on;
 * "fail" refuses the file, naming the first bad line, so that a training set never shrinks unnoticed.
 */
export type BadLines = "skip" | "fail";

/** Source/target pairs from JSONL, CSV or TSV; malformed rows are reported and skipped, or refused; none at all is an error. */
export async function readExamples(
  path: string,
  flags: ColumnFlags,
  ctx: CommandContext,
  what = "--data",
  badLines: BadLines = "skip",
): Promise<Seq2SeqExample[]> {
  await requireFile(path, what);
  const { readPairs, describeMalformed } = await import("@warmstart/training");
  const result = await readPairs(path, {
    columns: { source: columnRef(flags.sourceColumn), target: columnRef(flags.targetColumn) },
  });
  const first = result.malformed[0];
  if (first !== undefined && badLines === "fail") {
    const count = result.malformed.length;
    throw new CliError(
      "BAD_INPUT",
      `${what} ${path}:${first.line}: ${first.reason} (${count} malformed ${count === 1 ? "row" : "rows"} of ${count + result.examples.length})`,
      { hint: "fix the file, or pass --skip-bad-lines to leave the malformed rows out (their count is printed)" },
    );
  }
  if (result.malformed.length > 0) ctx.log(describeMalformed(result, 5));
  if (result.examples.length === 0) {
    throw new CliError("BAD_INPUT", `${what} ${path}: no usable examples`, {
      hint: `check --source-column "${flags.sourceColumn}" and --target-column "${flags.targetColumn}" against the file's columns`,
    });
  }
  return result.examples;
}
