import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { AdamW } from "../optim/adamw.js";
import { ToyModel } from "../test-support/toy-model.js";
import { checkpointName, listCheckpoints, recoverInterruptedWrites, rotateCheckpoints } from "./folders.js";
import { loadWeightsInto, readCheckpoint } from "./read-checkpoint.js";
import type { TrainerState } from "./trainer-state.js";
import { writeCheckpoint } from "./write-checkpoint.js";
import { withTempDir } from "../test-support/temp-dir.js";

function state(step: number): TrainerState {
  return {
    runId: "run-a",
    globalStep: step,
    epoch: step / 10,
    schedule: { kind: "linear", lr: 1e-3, warmupSteps: 2, totalSteps: 100 },
    rngState: [1, 2, 3, 4],
    modelRandomState: { encoder: { seed: 7, calls: 12 }, decoder: { seed: 7, calls: 30 } },
    dataPosition: { epoch: 0, batch: step },
    dataSeed: 7,
    metricForBestModel: "sari",
    greaterIsBetter: true,
    bestMetric: step === 2 ? 40 : null,
    bestModelCheckpoint: null,
    evaluationsWithoutImprovement: 0,
    logHistory: [{ step, epoch: step / 10, loss: 1.5 }],
  };
}

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir("ckpt-", fn);

async function trainedOptimizer(model: ToyModel): Promise<AdamW> {
  const optimizer = new AdamW();
  const entries = [...model.parameters.entries()].map(([name, variable]) => ({
    name,
    variable,
    grad: Float32Array.from({ length: variable.size }, (_, i) => Math.sin(i + name.length)),
  }));
  await optimizer.step(entries, 0.01);
  return optimizer;
}

before(async () => {
  await initBackend();
});

test("a checkpoint round-trips trainer state, optimizer moments and weights", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 11, hidden: 4, seed: 1 });
    const optimizer = await trainedOptimizer(model);
    const path = await writeCheckpoint(dir, {
      saveModel: (d) => model.savePretrained(d),
      optimizer: optimizer.getState(),
      trainerState: state(3),
    });
    assert.equal(path, join(dir, "checkpoint-3"));
    assert.deepEqual((await readdir(path)).sort(), [
      "model.safetensors",
      "optimizer.safetensors",
      "trainer_state.json",
    ]);
    const saved = JSON.parse(await readFile(join(path, "trainer_state.json"), "utf8")) as Record<string, unknown>;
    assert.equal(saved.global_step, 3);
    const loaded = await readCheckpoint(path);
    assert.deepEqual(loaded.trainerState, state(3));
    const original = optimizer.getState();
    assert.deepEqual([...loaded.optimizer.parameters.keys()].sort(), [...original.parameters.keys()].sort());
    for (const [name, s] of original.parameters) {
      const back = loaded.optimizer.parameters.get(name);
      assert.equal(back?.step, s.step);
      assert.deepEqual(back?.expAvg, s.expAvg);
      assert.deepEqual(back?.expAvgSq, s.expAvgSq);
    }
    const other = new ToyModel({ vocabSize: 11, hidden: 4, seed: 2 });
    await loadWeightsInto(other.namedParameters(), path);
    for (const [name, variable] of model.parameters.entries()) {
      assert.deepEqual([...other.parameters.get(name).dataSync()], [...variable.dataSync()], name);
    }
    model.dispose();
    other.dispose();
  });
});

test("a checkpoint of another architecture is refused with the differing names", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 11, hidden: 4, seed: 1 });
    const path = await writeCheckpoint(dir, {
      saveModel: (d) => model.savePretrained(d),
      optimizer: new AdamW().getState(),
      trainerState: state(1),
    });
    const wider = new ToyModel({ vocabSize: 11, hidden: 6, seed: 1 });
    const before = [...wider.parameters.get("decoder.lm_head.weight").dataSync()];
    await assert.rejects(loadWeightsInto(wider.namedParameters(), path), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CHECKPOINT_MISMATCH");
      assert.match(
        error.message,
        /encoder\.embeddings\.word_embeddings\.weight is \[11,4\] in the checkpoint, \[11,6\] in the model/,
      );
      return true;
    });
    assert.deepEqual(
      [...wider.parameters.get("decoder.lm_head.weight").dataSync()],
      before,
      "nothing is loaded on mismatch",
    );
    model.dispose();
    wider.dispose();
    await assert.rejects(readCheckpoint(join(dir, "nowhere")), { code: "CHECKPOINT_NOT_FOUND" });
  });
});

test("a failing write leaves the previous checkpoint intact and no temporary folder", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 11, hidden: 4, seed: 1 });
    const optimizer = (await trainedOptimizer(model)).getState();
    const good = await writeCheckpoint(dir, {
      saveModel: (d) => model.savePretrained(d),
      optimizer,
      trainerState: state(2),
    });
    const goodState = await readFile(join(good, "trainer_state.json"), "utf8");
    const goodWeights = await readFile(join(good, "model.safetensors"));
    const goodMoments = await readFile(join(good, "optimizer.safetensors"));
    const diskFull = async (): Promise<void> => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    const tensorsBefore = tf.memory().numTensors;
    await assert.rejects(
      writeCheckpoint(
        dir,
        { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(4) },
        { writeFile: diskFull },
      ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "CHECKPOINT_WRITE_FAILED");
        assert.ok(
          error.message.includes(`writing ${join(dir, "checkpoint-4")} failed (the disk is full (ENOSPC) under ${dir}`),
          error.message,
        );
        assert.ok(error.message.includes(`last good checkpoint is ${good}`), error.message);
        return true;
      },
    );
    assert.equal(tf.memory().numTensors, tensorsBefore);
    // A failure while the model itself is written, and one when re-saving an existing step.
    await assert.rejects(
      writeCheckpoint(dir, { saveModel: async () => diskFull(), optimizer, trainerState: state(5) }),
      { code: "CHECKPOINT_WRITE_FAILED" },
    );
    await assert.rejects(
      writeCheckpoint(
        dir,
        { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(2) },
        { writeFile: diskFull },
      ),
      { code: "CHECKPOINT_WRITE_FAILED" },
    );
    assert.deepEqual(await readdir(dir), ["checkpoint-2"]);
    assert.equal(await readFile(join(good, "trainer_state.json"), "utf8"), goodState);
    assert.ok(
      (await readFile(join(good, "model.safetensors"))).equals(goodWeights),
      "the previous weights are byte-identical",
    );
    assert.ok((await readFile(join(good, "optimizer.safetensors"))).equals(goodMoments));
    assert.equal((await readCheckpoint(good)).trainerState.globalStep, 2);
    model.dispose();
  });
});

test("rotation keeps the newest checkpoints and the best one", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 5, hidden: 2, seed: 1 });
    const optimizer = new AdamW().getState();
    for (const step of [1, 2, 3, 4, 5]) {
      await writeCheckpoint(dir, { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(step) });
    }
    const best = join(dir, checkpointName(2));
    assert.deepEqual(await rotateCheckpoints(dir, 3, best), [join(dir, "checkpoint-1"), join(dir, "checkpoint-3")]);
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [2, 4, 5],
    );
    await rotateCheckpoints(dir, 1, best);
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [2, 5],
    );
    await rotateCheckpoints(dir, 1);
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [5],
    );
    model.dispose();
  });
});

test("rotation follows HF's save_total_limit when the best checkpoint is already among the newest", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 5, hidden: 2, seed: 1 });
    const optimizer = new AdamW().getState();
    for (const step of [1, 2, 3, 4, 5]) {
      await writeCheckpoint(dir, { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(step) });
    }
    // HF keeps the newest three (3, 4, 5): the best one, 4, is one of them and costs no extra place.
    await rotateCheckpoints(dir, 3, join(dir, checkpointName(4)));
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [3, 4, 5],
    );
    // Limit 1 with the newest as best: only it remains.
    await rotateCheckpoints(dir, 1, join(dir, checkpointName(5)));
    assert.deepEqual(
      (await listCheckpoints(dir)).map((c) => c.step),
      [5],
    );
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith(".")),
      [],
      "no hidden leftovers of the deletes",
    );
    model.dispose();
  });
});

test("leftovers of a killed run are tidied before the next write: temporaries removed, a moved-aside step restored", async () => {
  await withDir(async (dir) => {
    const model = new ToyModel({ vocabSize: 5, hidden: 2, seed: 1 });
    const optimizer = new AdamW().getState();
    await writeCheckpoint(dir, { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(1) });
    // A kill mid-write of step 2, and one between moving step 1 aside and renaming its re-save in.
    await mkdir(join(dir, ".checkpoint-2.tmp-123-abcd"));
    await writeFile(join(dir, ".checkpoint-2.tmp-123-abcd", "half.safetensors"), "torn");
    await rename(join(dir, "checkpoint-1"), join(dir, ".checkpoint-1.old-456-ef01"));

    assert.deepEqual((await recoverInterruptedWrites(dir)).sort(), [
      ".checkpoint-1.old-456-ef01",
      ".checkpoint-2.tmp-123-abcd",
    ]);
    assert.deepEqual((await readdir(dir)).sort(), ["checkpoint-1"]);
    assert.equal((await readCheckpoint(join(dir, "checkpoint-1"))).trainerState.globalStep, 1);

    await mkdir(join(dir, ".checkpoint-3.tmp-789-0000"));
    await writeCheckpoint(dir, { saveModel: (d) => model.savePretrained(d), optimizer, trainerState: state(2) });
    assert.deepEqual((await readdir(dir)).sort(), ["checkpoint-1", "checkpoint-2"]);
    model.dispose();
  });
});
