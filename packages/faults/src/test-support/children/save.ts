/*
 * Child for the savePretrained kill test. argv: <workDir> <mode>; mode "reference" writes refA and
 * refB and exits; mode "run" puts A into out (not armed), then, armed, saves B over out and A into
 * a fresh folder, and prints the operation count. WARMSTART_KILL_AT_OP crashes it on the way.
 */
import { join } from "node:path";
import { armKillSwitch, operationsSoFar } from "../kill-switch.js";
import { tinyModel, tinySetup } from "../tiny.js";

const [workDir, mode] = process.argv.slice(2) as [string, string];
const setup = await tinySetup();
const a = await tinyModel(setup, 1);
const b = await tinyModel(setup, 2, setup.tokenizer.sepTokenId as number);
if (mode === "reference") {
  await a.savePretrained(join(workDir, "refA"));
  await b.savePretrained(join(workDir, "refB"));
} else {
  await a.savePretrained(join(workDir, "out"));
  console.log("ready");
  armKillSwitch();
  await b.savePretrained(join(workDir, "out"));
  await a.savePretrained(join(workDir, "fresh"));
  console.log(`ops ${operationsSoFar()}`);
}
