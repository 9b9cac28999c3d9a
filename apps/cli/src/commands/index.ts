import type { Command } from "commander";
import type { ProgramIO, RunState } from "../framework/command.js";
import { registerCompose } from "./compose.js";
import { registerConvert } from "./convert.js";
import { registerDemo } from "./demo.js";
import { registerDoctor } from "./doctor.js";
import { registerEvaluate } from "./evaluate.js";
import { registerGenerate } from "./generate.js";
import { registerInspect } from "./inspect.js";
import { registerPretrain } from "./pretrain.js";
import { registerServe } from "./serve.js";
import { registerTrain } from "./train.js";

/** Every subcommand, in the order `--help` lists them. */
export function registerCommands(program: Command, io: ProgramIO, state: RunState): void {
  registerDemo(program, io, state);
  registerCompose(program, io, state);
  registerInspect(program, io, state);
  registerConvert(program, io, state);
  registerPretrain(program, io, state);
  registerTrain(program, io, state);
  registerGenerate(program, io, state);
  registerEvaluate(program, io, state);
  registerServe(program, io, state);
  registerDoctor(program, io, state);
}
