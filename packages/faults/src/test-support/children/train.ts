/*
 * Child for the training kill test. argv: <outputDir>. Resumes from the newest checkpoint when there
 * is one, trains the tiny BERT2BERT (dropout 0.1) to the end with a checkpoint every step and a JSONL log, and
 * prints the operation count. WARMSTART_KILL_AT_OP (or the parent's timer) crashes it on the way.
 */
import { listCheckpoints } from "@warmstart/training";
import { armKillSwitch, operationsSoFar } from "../kill-switch.js";
import { tinyModel, tinySetup, tinyTrainer, TRAIN_DROPOUT } from "../tiny.js";

const [outputDir] = process.argv.slice(2) as [string];
const setup = await tinySetup();
const model = await tinyModel(setup, 1, undefined, TRAIN_DROPOUT);
const trainer = tinyTrainer(setup, model, { outputDir, saveSteps: 1 });
if ((await listCheckpoints(outputDir)).length > 0) await trainer.resume("latest");
console.log("ready");
armKillSwitch();
await trainer.train();
console.log(`ops ${operationsSoFar()}`);
