import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { classifyError } from "./framework/classify-error.js";
import type { ProgramIO, RunState } from "./framework/command.js";
import { EXIT } from "./framework/exit-codes.js";

const EXIT_CODE_HELP = `
Exit codes:
  0  success
  1  the work failed (training, saving, an unexpected error)
  2  usage error: unknown command or option, missing argument, value out of range, contradicting options
  3  input error: missing or malformed file (data, damaged weights, bad generation_config.json), wrong column
  4  model error: unknown model type, a model folder without its weights, config.json or tokenizer
  5  network or Hub error while downloading a model
  130 interrupted (Ctrl-C)
`;

export function buildProgram(io: ProgramIO, state: RunState): Command {
  const program = new Command("warmstart");
  const { version } = createRequire(import.meta.url)("../package.json") as { version: string };
  program
    .version(version, "-V, --version")
    .description(
      "Warm-start transformer encoder-decoders from BERT, RoBERTa and GPT-2 checkpoints (Rothe et al. 2020), on TensorFlow.js.",
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(add --help for usage and examples)")
    .addHelpText("after", `\nStart here:\n  $ warmstart demo --quick\n${EXIT_CODE_HELP}`);
  registerCommands(program, io, state);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit status. */
export async function main(
  argv: readonly string[],
  io: ProgramIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const state: RunState = { common: {} };
  const program = buildProgram(io, state);
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message already; help and --version end with status 0.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const found = classifyError(error);
    io.stderr.write(`warmstart: error: ${found.message}\n`);
    if (found.hint !== undefined) io.stderr.write(`  hint: ${found.hint}\n`);
    if (state.common.verbose === true && error instanceof Error) {
      io.stderr.write(`${error.stack ?? String(error)}\n`);
      if (error.cause instanceof Error) io.stderr.write(`caused by: ${error.cause.stack ?? String(error.cause)}\n`);
    }
    if (state.common.json === true) {
      io.stdout.write(
        `${JSON.stringify({ ok: false, error: { code: found.code, exitCode: found.exitCode, message: found.message, hint: found.hint ?? null } }, null, 2)}\n`,
      );
    }
    return found.exitCode;
  }
}
