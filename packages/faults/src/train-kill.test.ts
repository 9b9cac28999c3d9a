/*
 * Guarantees: a trainer checkpoint is never half-written, and a training run killed at any moment
 * resumes from its last checkpoint with exactly the losses of a run that was never interrupted.
 * A child trains a tiny BERT2BERT with BERT's default dropout 0.1 for TRAIN_STEPS steps with a checkpoint every step; it
 * is SIGKILLed at chosen file-system operations. Every checkpoint left must read back and equal the
 * uninterrupted run's checkpoint of that step byte for byte; every logged loss must equal the
 * uninterrupted run's; and resuming in this process must reproduce the remaining losses exactly, which
 * needs the dropout streams restored from the checkpoint (the resuming model is even built with another
 * seed). After a resume the JSONL log holds one line per step.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { listCheckpoints, readCheckpoint } from "@warmstart/training";
import { startChild, sleep } from "./test-support/child.js";
import { inBatches, killPlan } from "./test-support/kill-plan.js";
import { faultSeed, killCount, seeded } from "./test-support/rng.js";
import { createTally } from "./test-support/tally.js";
import { tinyModel, tinySetup, tinyTrainer, TRAIN_DROPOUT, TRAIN_STEPS, type TinySetup } from "./test-support/tiny.js";

const tally = createTally("trainer checkpoint kills and resume");
let root: string;
let setup: TinySetup;
let referenceLosses: number[];
let opsLine: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-train-"));
  const dry = startChild("train.ts", [join(root, "dry")]);
  setup = await tinySetup();
  const model = await tinyModel(setup, 1, undefined, TRAIN_DROPOUT);
  try {
    referenceLosses = (await tinyTrainer(setup, model, { outputDir: join(root, "reference"), saveSteps: 1 }).train())
      .losses;
  } finally {
    model.dispose();
  }
  assert.equal(referenceLosses.length, TRAIN_STEPS);
  // Dropout must really be on, or exact resume would prove nothing about its random state.
  const withoutDropout = await tinyModel(setup, 1);
  try {
    const plain = (await tinyTrainer(setup, withoutDropout).train()).losses;
    assert.equal(plain[0] === referenceLosses[0], false, "dropout 0.1 changes the first loss");
  } finally {
    withoutDropout.dispose();
  }
  opsLine = await dry.waitForLine(/^ops \d+/, 120_000);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Problems with what a killed run left in `dir`; then resumes there and checks the remaining losses. */
async function checkAndResume(dir: string, what: string): Promise<string[]> {
  const problems: string[] = [];
  for (const { step, path } of await listCheckpoints(dir)) {
    tally.filesFuzzed += 1;
    const reference = join(root, "reference", `checkpoint-${step}`);
    try {
      const { trainerState } = await readCheckpoint(path);
      if (trainerState.globalStep !== step) problems.push(`${what}: ${path} says step ${trainerState.globalStep}`);
      for (const file of ["model.safetensors", "optimizer.safetensors"]) {
        if (!readFileSync(join(path, file)).equals(readFileSync(join(reference, file)))) {
          problems.push(`${what}: ${path}/${file} differs from the uninterrupted run's`);
        }
      }
    } catch (error) {
      problems.push(`${what}: ${path} does not read back: ${(error as Error).message}`);
    }
  }
  const log = join(dir, "training_log.jsonl");
  const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n") : [];
  // The last line may be torn by the kill (an append is not atomic); every complete line must be right.
  for (const line of lines.slice(0, -1)) {
    const entry = JSON.parse(line) as { step: number; loss: number };
    if (entry.loss !== referenceLosses[entry.step - 1]) {
      problems.push(
        `${what}: logged loss ${entry.loss} at step ${entry.step}, uninterrupted ${referenceLosses[entry.step - 1]}`,
      );
    }
  }
  const model = await tinyModel(setup, 2, undefined, TRAIN_DROPOUT);
  try {
    const trainer = tinyTrainer(setup, model, { outputDir: dir, saveSteps: 1 });
    const checkpoints = await listCheckpoints(dir);
    if (checkpoints.length > 0) await trainer.resume("latest");
    const done = checkpoints.at(-1)?.step ?? 0;
    if (checkpoints.length === 0) {
      // Nothing was saved: a restart from scratch must give the whole run again (model seed 1).
      const fresh = await tinyModel(setup, 1, undefined, TRAIN_DROPOUT);
      try {
        const losses = (await tinyTrainer(setup, fresh, { outputDir: dir, saveSteps: 1 }).train()).losses;
        if (JSON.stringify(losses) !== JSON.stringify(referenceLosses)) {
          problems.push(`${what}: restart gave other losses`);
        }
      } finally {
        fresh.dispose();
      }
    } else {
      const losses = (await trainer.train()).losses;
      const expected = referenceLosses.slice(done);
      // Exact equality, not a tolerance: the resumed run must repeat the same float operations.
      if (JSON.stringify(losses) !== JSON.stringify(expected)) {
        problems.push(
          `${what}: resumed from step ${done}, losses ${JSON.stringify(losses)} != ${JSON.stringify(expected)}`,
        );
      }
      // The resume rewrote the log to the checkpoint's history: the steps the killed run logged after its
      // last checkpoint are not repeated.
      const logged = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { step: number }).step);
      const everyStep = Array.from({ length: TRAIN_STEPS }, (_, i) => i + 1);
      if (JSON.stringify(logged) !== JSON.stringify(everyStep)) {
        problems.push(`${what}: after the resume the log has steps ${logged.join(",")}, not one line per step`);
      }
    }
  } finally {
    model.dispose();
  }
  return problems;
}

test("a SIGKILL at any point of training leaves only complete checkpoints, and resuming repeats the losses exactly", async () => {
  const plan = killPlan(opsLine, killCount(10), faultSeed(3));
  const killed = await inBatches(plan, 4, async (op, i) => {
    const dir = join(root, `kill-${i}`);
    const child = startChild("train.ts", [dir], { WARMSTART_KILL_AT_OP: String(op) });
    const { signal } = await child.exited;
    return { dir, op, signal, output: child.output() };
  });
  const problems: string[] = [];
  for (const { dir, op, signal, output } of killed) {
    if (signal !== "SIGKILL") {
      problems.push(`kill at operation ${op}: the child was not killed (${output})`);
      continue;
    }
    tally.killsInjected += 1;
    const found = await checkAndResume(dir, `kill at operation ${op}`);
    tally.corruptFilesFound += found.filter((p) => !p.includes("losses")).length;
    problems.push(...found);
  }
  assert.deepEqual(problems, []);
});

test("a run killed twice at random moments and restarted each time logs the uninterrupted losses", async () => {
  const dir = join(root, "chain");
  const random = seeded(faultSeed(4));
  for (let round = 0; round < 2; round++) {
    const child = startChild("train.ts", [dir]);
    await child.waitForLine(/^ready$/, 120_000);
    await sleep(Math.floor(random() * 1500));
    child.kill();
    if ((await child.exited).signal === "SIGKILL") tally.killsInjected += 1;
  }
  const problems = await checkAndResume(dir, "after two timed kills");
  assert.deepEqual(problems, []);
  const steps = readFileSync(join(dir, "training_log.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{") && line.endsWith("}"))
    .map((line) => (JSON.parse(line) as { step: number }).step);
  assert.ok(steps.includes(TRAIN_STEPS), `the log reaches step ${TRAIN_STEPS}: ${steps.join(",")}`);
});
