/*
 * Guarantee: NaN or Inf in the loss (or in the logits, which makes the loss NaN) stops training with
 * a message that names the step and the last good checkpoint, and no checkpoint with a non-finite
 * weight is ever written.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { EncoderDecoderModel } from "@warmstart/composer";
import { openCheckpoint, tf } from "@warmstart/tensors";
import { listCheckpoints } from "@warmstart/training";
import { createTally } from "./test-support/tally.js";
import { tinyModel, tinySetup, tinyTrainer, type TinySetup } from "./test-support/tiny.js";

const tally = createTally("numerical faults");
let root: string;
let setup: TinySetup;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-nan-"));
  setup = await tinySetup();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The model, except that forward call number `at` (1-based) is spoiled by `spoil`. */
function faulty(model: EncoderDecoderModel, at: number, spoil: (loss: tf.Tensor) => tf.Tensor): EncoderDecoderModel {
  let calls = 0;
  return new Proxy(model, {
    get(target, property) {
      if (property === "forward") {
        return (batch: Parameters<EncoderDecoderModel["forward"]>[0]) => {
          const out = target.forward(batch);
          calls += 1;
          if (calls !== at || out.loss === undefined) return out;
          const loss = out.loss;
          return { ...out, loss: tf.tidy(() => spoil(loss)) };
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function assertAllFinite(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const { path } of await listCheckpoints(dir)) {
    tally.filesFuzzed += 1;
    const checkpoint = await openCheckpoint(path);
    try {
      for (const name of checkpoint.names()) {
        const values = (await checkpoint.tensor(name).data()) as Float32Array;
        if (values.some((v) => !Number.isFinite(v))) problems.push(`${path}: ${name} holds a non-finite value`);
      }
    } finally {
      checkpoint.close();
    }
  }
  return problems;
}

const FAULTS: Array<[string, number, (loss: tf.Tensor) => tf.Tensor]> = [
  ["NaN loss at step 4", 4, (loss) => tf.mul(loss, Number.NaN)],
  ["+Inf loss at step 2", 2, (loss) => tf.mul(loss, Number.POSITIVE_INFINITY)],
  ["NaN loss at step 1 (no checkpoint yet)", 1, (loss) => tf.add(loss, Number.NaN)],
];

for (const [what, step, spoil] of FAULTS) {
  test(`${what} stops training, names the step and the last good checkpoint, and writes no bad checkpoint`, async () => {
    const dir = join(root, what.replace(/\W+/g, "-"));
    const model = await tinyModel(setup, 1);
    tally.hostileInputsTried += 1;
    try {
      const trainer = tinyTrainer(setup, faulty(model, step, spoil), { outputDir: dir, saveSteps: 1 });
      await assert.rejects(trainer.train(), (error: Error & { code?: string }) => {
        assert.equal(error.code, "NON_FINITE_LOSS");
        assert.match(error.message, new RegExp(`at step ${step}\\b`));
        const last = step === 1 ? "none" : join(dir, `checkpoint-${step - 1}`);
        assert.ok(error.message.includes(`Last good checkpoint: ${last}`), error.message);
        return true;
      });
      assert.deepEqual(
        (await listCheckpoints(dir)).map((c) => c.step),
        Array.from({ length: step - 1 }, (_, i) => i + 1),
      );
      const problems = await assertAllFinite(dir);
      tally.corruptFilesFound += problems.length;
      assert.deepEqual(problems, []);
    } finally {
      model.dispose();
    }
  });
}

test("a NaN weight (NaN logits) stops training at the next step without saving the poisoned model", async () => {
  const dir = join(root, "nan-weight");
  const model = await tinyModel(setup, 1);
  tally.hostileInputsTried += 1;
  try {
    await tinyTrainer(setup, model, { outputDir: dir, saveSteps: 1, maxSteps: 2 }).train();
    const [name, variable] = [...model.namedParameters()][0] as [string, tf.Variable];
    variable.assign(tf.fill(variable.shape, Number.NaN));
    const trainer = tinyTrainer(setup, model, { outputDir: dir, saveSteps: 1, maxSteps: 4 });
    await trainer.resume("latest").catch(() => undefined);
    // resume() reloads good weights; poison again after it, as a diverging update would.
    variable.assign(tf.fill(variable.shape, Number.NaN));
    await assert.rejects(trainer.train(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "NON_FINITE_LOSS", `${name}: ${error.message}`);
      assert.match(error.message, /at step 3\b/);
      assert.ok(error.message.includes(`Last good checkpoint: ${join(dir, "checkpoint-2")}`), error.message);
      return true;
    });
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [1, 2],
    );
    const problems = await assertAllFinite(dir);
    tally.corruptFilesFound += problems.length;
    assert.deepEqual(problems, []);
  } finally {
    model.dispose();
  }
});
