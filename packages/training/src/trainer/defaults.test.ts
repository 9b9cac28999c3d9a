import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { planEpoch } from "../data/batching.js";
import { toyCollate, toyExamples } from "../test-support/toy-data.js";
import { ToyModel } from "../test-support/toy-model.js";
import { TRAINER_DEFAULTS } from "./defaults.js";
import { Trainer } from "./trainer.js";

before(async () => {
  await initBackend();
});

// The values of Seq2SeqTrainingArguments (transformers 5.24 and 4.57; defaults-hf.interop.ts reads them live).
test("the trainer defaults are TrainingArguments' defaults", () => {
  assert.deepEqual(
    { ...TRAINER_DEFAULTS },
    {
      learningRate: 5e-5,
      weightDecay: 0,
      betas: [0.9, 0.999],
      eps: 1e-8,
      maxGradNorm: 1,
      epochs: 3,
      schedule: "linear",
      warmupSteps: 0,
      loggingSteps: 500,
      saveSteps: 500,
      seed: 42,
      gradientAccumulationSteps: 1,
      labelSmoothingFactor: 0,
      groupByLength: false,
    },
  );
});

test("a trainer given no optimizer, schedule or epochs uses them: no weight decay, linear 5e-5, three epochs", () => {
  const examples = toyExamples(20, 13, 3);
  const trainer = new Trainer({
    model: new ToyModel({ vocabSize: 13, hidden: 4, seed: 1 }),
    trainExamples: examples,
    collate: toyCollate,
    batchSize: 4,
    log: () => {},
  });
  assert.equal(trainer.optimizer.weightDecay, 0);
  assert.deepEqual(trainer.optimizer.betas, [0.9, 0.999]);
  assert.equal(trainer.optimizer.eps, 1e-8);
  assert.equal(trainer.totalSteps, 3 * planEpoch(20, 0, { batchSize: 4, seed: 42, lengths: undefined }).length);
  assert.deepEqual(trainer.schedule, { kind: "linear", lr: 5e-5, warmupSteps: 0, totalSteps: trainer.totalSteps });
  const decaying = new Trainer({
    model: new ToyModel({ vocabSize: 13, hidden: 4, seed: 1 }),
    trainExamples: examples,
    collate: toyCollate,
    batchSize: 4,
    log: () => {},
    optimizer: { weightDecay: 0.01 },
  });
  assert.equal(decaying.optimizer.weightDecay, 0.01);
});
