import type { Command } from "commander";
import { CommandContext, type CommonOptions } from "./context.js";
import type { ProgressStream } from "./progress.js";

/** Streams the program writes to; tests can swap them. */
export interface ProgramIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** What the running command leaves behind for `main` (the flags matter for error output). */
export interface RunState {
  common: CommonOptions;
}

/** The flags every command takes. */
export function withCommonOptions(command: Command): Command {
  return command
    .option("--json", "print one JSON document on stdout instead of text")
    .option("-v, --verbose", "more logging, and stack traces on errors")
    .option("-q, --quiet", "no logs or progress on stderr");
}

/** Help text block listing example invocations. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/**
 * Wires a command body: commander hands positional arguments, then the option object; the body gets a
 * context built from the common flags, and `state` records those flags for error reporting.
 */
export function defineAction<Options extends CommonOptions>(
  command: Command,
  io: ProgramIO,
  state: RunState,
  body: (ctx: CommandContext, args: string[], options: Options) => Promise<void>,
): Command {
  return command.action(async (...received: unknown[]) => {
    const options = command.opts<Options>();
    state.common = options;
    const args = received.slice(0, command.registeredArguments.length).map((a) => a as string);
    await body(new CommandContext(options, io), args, options);
  });
}
