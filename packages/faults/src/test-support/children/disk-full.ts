/*
 * Child for the full-disk test. argv: <target> <workDir> <hubUrl>. Builds the previous state without
 * the switch armed (a saved model, a run with checkpoint-1, a cached model), then arms it and does the
 * same again (save another model over it, train step 2 and checkpoint it, download another model);
 * WARMSTART_ENOSPC_AT_OP makes every data write from that operation on fail with ENOSPC. Prints the
 * error as `error {"name","code","message"}` (or `done` when the disk never filled), then the counts.
 * The previous state is copied to <workDir>/previous-state just before arming, as the reference.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { resolveModel } from "@warmstart/hub";
import { armKillSwitch, operationsSoFar, writesRefusedSoFar } from "../kill-switch.js";
import { tinyModel, tinySetup, tinyTrainer, TRAIN_DROPOUT } from "../tiny.js";

const [target, workDir, hubUrl] = process.argv.slice(2) as [string, string, string];
/** The folder each target writes into; it is copied to `<workDir>/previous-state` before arming. */
const FOLDER: Record<string, string> = { save: "out", checkpoint: "run", download: "cache" };

async function armed(): Promise<() => Promise<unknown>> {
  if (target === "save") {
    const setup = await tinySetup();
    const a = await tinyModel(setup, 1);
    const b = await tinyModel(setup, 2, setup.tokenizer.sepTokenId as number);
    await a.savePretrained(join(workDir, "out"));
    return () => b.savePretrained(join(workDir, "out"));
  }
  if (target === "checkpoint") {
    const setup = await tinySetup();
    const outputDir = join(workDir, "run");
    const first = await tinyModel(setup, 1, undefined, TRAIN_DROPOUT);
    await tinyTrainer(setup, first, { outputDir, saveSteps: 1, maxSteps: 1 }).train();
    const model = await tinyModel(setup, 1, undefined, TRAIN_DROPOUT);
    const trainer = tinyTrainer(setup, model, { outputDir, saveSteps: 1, maxSteps: 2 });
    await trainer.resume("latest");
    return () => trainer.train();
  }
  if (target === "download") {
    const cacheDir = join(workDir, "cache");
    await resolveModel("faults/first", { hubUrl, cacheDir, retries: 0 });
    return () => resolveModel("faults/second", { hubUrl, cacheDir, retries: 0 });
  }
  throw new Error(`unknown target ${target}`);
}

const run = await armed();
// The reference the full-disk run must leave intact, taken in this process: ids and timings in the
// trainer state and the log differ from one process to the next, so no other run could serve.
cpSync(join(workDir, FOLDER[target] as string), join(workDir, "previous-state"), {
  recursive: true,
  verbatimSymlinks: true,
});
armKillSwitch();
try {
  await run();
  console.log("done");
} catch (error) {
  const e = error as Error & { code?: string };
  console.log(`error ${JSON.stringify({ name: e.name, code: e.code, message: e.message })}`);
}
console.log(`refused ${writesRefusedSoFar()}`);
console.log(`ops ${operationsSoFar()}`);
