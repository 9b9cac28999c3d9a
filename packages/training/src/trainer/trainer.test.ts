import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { toyCollate, toyExamples, type ToyBatch, type ToyExample } from "../test-support/toy-data.js";
import { ToyModel } from "../test-support/toy-model.js";
import { Trainer } from "./trainer.js";
import type { TrainableModel, TrainerOptions } from "./types.js";
import { withTempDir } from "../test-support/temp-dir.js";

const VOCAB = 13;
const silent = (): void => {};

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir("trainer-", fn);

function options(
  model: TrainableModel<ToyBatch>,
  extra: Partial<TrainerOptions<ToyExample, ToyBatch>> = {},
): TrainerOptions<ToyExample, ToyBatch> {
  return {
    model,
    trainExamples: toyExamples(24, VOCAB, 3),
    collate: toyCollate,
    batchSize: 4,
    gradientAccumulationSteps: 2,
    maxSteps: 12,
    schedule: { kind: "linear", lr: 0.05, warmupSteps: 2, totalSteps: 12 },
    lengthOf: (e) => e.source.length,
    log: silent,
    ...extra,
  };
}

before(async () => {
  await initBackend();
});

test("resuming from a checkpoint reproduces the losses of an uninterrupted run exactly", async () => {
  await withDir(async (dir) => {
    const whole = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    const uninterrupted = await new Trainer(options(whole)).train();
    assert.equal(uninterrupted.losses.length, 12);
    assert.ok(
      (uninterrupted.losses.at(-1) as number) < (uninterrupted.losses[0] as number),
      "the toy task should be learnt",
    );

    const first = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    const out = join(dir, "run");
    const firstHalf = await new Trainer(options(first, { maxSteps: 12, outputDir: out, saveSteps: 5 })).train();
    assert.deepEqual(firstHalf.losses, uninterrupted.losses, "checkpointing must not change the run");
    first.dispose();

    // A fresh model with other initial weights, resumed from step 5.
    const second = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 99 });
    const trainer = new Trainer(options(second, { outputDir: out }));
    await trainer.resume(join(out, "checkpoint-5"));
    assert.equal(trainer.globalStep, 5);
    const rest = await trainer.train();
    assert.deepEqual(rest.losses, uninterrupted.losses.slice(5));
    for (const [name, variable] of whole.parameters.entries()) {
      assert.deepEqual([...second.parameters.get(name).dataSync()], [...variable.dataSync()], name);
    }
    whole.dispose();
    second.dispose();
  });
});

test("tf.memory().numTensors stays flat over 200 steps", async () => {
  const model = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 2 });
  const trainer = new Trainer(options(model, { maxSteps: 1, gradientAccumulationSteps: 1, loggingSteps: 1000 }));
  await trainer.train();
  const after1 = tf.memory().numTensors;
  const more = new Trainer(options(model, { maxSteps: 200, gradientAccumulationSteps: 1, loggingSteps: 1000 }));
  const result = await more.train();
  assert.equal(result.losses.length, 200);
  assert.equal(tf.memory().numTensors, after1);
  model.dispose();
});

test("a NaN loss stops training with the step and the last good checkpoint", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    let calls = 0;
    const poisoned = {
      namedParameters: () => model.namedParameters(),
      // From the 7th batch on, the loss becomes NaN (still a function of the weights, as a real blow-up is).
      forward: (batch: ToyBatch) => {
        calls += 1;
        const out = model.forward(batch);
        if (calls <= 6) return out;
        return { loss: tf.tidy(() => tf.mul(out.loss, tf.scalar(Number.NaN))) };
      },
      savePretrained: (d: string) => model.savePretrained(d),
    };
    const trainer = new Trainer(options(poisoned, { gradientAccumulationSteps: 1, outputDir: dir, saveSteps: 3 }));
    await assert.rejects(trainer.train(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "NON_FINITE_LOSS");
      assert.match(error.message, /loss is NaN at step 7 /);
      assert.ok(error.message.includes(`Last good checkpoint: ${join(dir, "checkpoint-6")}`), error.message);
      return true;
    });
    model.dispose();
  });
});

test("evaluation logs metrics to JSONL, keeps the best checkpoint, and stops early", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    const scores = [0.2, 0.5, 0.4, 0.3, 0.1, 0.9];
    let evaluations = 0;
    const lines: string[] = [];
    const trainer = new Trainer(
      options(model, {
        gradientAccumulationSteps: 1,
        maxSteps: 30,
        outputDir: dir,
        saveSteps: 2,
        saveTotalLimit: 1,
        loggingSteps: 2,
        log: (line) => lines.push(line),
        evaluation: {
          examples: toyExamples(6, VOCAB, 9),
          everySteps: 2,
          predict: async (examples) => examples.map(() => "x"),
          metrics: () => ({ score: scores[evaluations++] ?? 0 }),
          metricForBestModel: "score",
          earlyStoppingPatience: 3,
        },
      }),
    );
    const result = await trainer.train();
    // Best at the 2nd evaluation (step 4); three evaluations without improvement after it → stop at step 10.
    assert.equal(result.stoppedEarly, true);
    assert.equal(result.globalStep, 10);
    assert.equal(result.bestMetric, 0.5);
    assert.equal(result.bestModelCheckpoint, join(dir, "checkpoint-4"));
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith("checkpoint-")).sort(), [
      "checkpoint-10",
      "checkpoint-4",
    ]);
    const log = (await readFile(join(dir, "training_log.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, number>);
    const train = log.filter((e) => "loss" in e);
    const evals = log.filter((e) => "eval_score" in e);
    assert.deepEqual(
      train.map((e) => e.step),
      [2, 4, 6, 8, 10],
    );
    for (const e of train) {
      assert.ok(Number.isFinite(e.loss) && e.learning_rate !== undefined && (e.tokens_per_second as number) > 0);
    }
    assert.deepEqual(
      evals.map((e) => [e.step, e.eval_score]),
      [
        [2, 0.2],
        [4, 0.5],
        [6, 0.4],
        [8, 0.3],
        [10, 0.1],
      ],
    );
    assert.ok(evals.every((e) => Number.isFinite(e.eval_loss)));
    assert.match(lines[0] ?? "", /^step 2\/30 \(7%\) loss \d+\.\d{4} lr \S+ \d+ tok\/s ETA \S+$/);
    const state = JSON.parse(await readFile(join(dir, "checkpoint-10", "trainer_state.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(state.best_model_checkpoint, join(dir, "checkpoint-4"));
    model.dispose();
  });
});

test("after a resume the JSONL log holds one line per step, not the interrupted run's steps twice", async () => {
  await withDir(async (dir) => {
    const first = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    await new Trainer(options(first, { maxSteps: 12, outputDir: dir, saveSteps: 5, loggingSteps: 1 })).train();
    first.dispose();
    // Steps 6 to 12 were logged after checkpoint-5; a resume from it runs them again.
    const second = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    const trainer = new Trainer(options(second, { outputDir: dir, loggingSteps: 1 }));
    await trainer.resume(join(dir, "checkpoint-5"));
    await trainer.train();
    second.dispose();
    const steps = (await readFile(join(dir, "training_log.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { step: number }).step);
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

test('resume("latest") refuses a folder that holds checkpoints of two runs instead of picking the newest', async () => {
  await withDir(async (dir) => {
    const first = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 1 });
    await new Trainer(options(first, { maxSteps: 4, outputDir: dir, saveSteps: 2 })).train();
    first.dispose();
    // Another run in the same folder writes checkpoint-3 between the first run's 2 and 4.
    const second = new ToyModel({ vocabSize: VOCAB, hidden: 8, seed: 2 });
    await new Trainer(options(second, { maxSteps: 3, outputDir: dir, saveSteps: 3 })).train();
    const resumer = new Trainer(options(second, { outputDir: dir }));
    await assert.rejects(resumer.resume("latest"), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CHECKPOINT_MISMATCH");
      assert.match(
        error.message,
        /checkpoints of 2 different runs \(run [0-9a-f-]+: checkpoint-2, checkpoint-4; run [0-9a-f-]+: checkpoint-3\)/,
      );
      return true;
    });
    // An explicit checkpoint folder is still accepted: the caller chose the run.
    await resumer.resume(join(dir, "checkpoint-3"));
    assert.equal(resumer.globalStep, 3);
    second.dispose();
  });
});
