import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { learningRate, validateSchedule } from "./schedules.js";

test("linear warm-up then decay matches HF get_linear_schedule_with_warmup", () => {
  // lr 1e-3, warm-up 4, total 10: step/4 during warm-up, then (10 − step)/6, never below 0.
  const spec = { kind: "linear", lr: 1e-3, warmupSteps: 4, totalSteps: 10 } as const;
  const got = [0, 1, 2, 3, 4, 5, 7, 9, 10, 12].map((s) => learningRate(spec, s));
  assertClose(got, [0, 2.5e-4, 5e-4, 7.5e-4, 1e-3, 5e-3 / 6, 3e-3 / 6, 1e-3 / 6, 0, 0], 1e-15, "linear");
});

test("linear schedule without warm-up starts at the full rate", () => {
  const spec = { kind: "linear", lr: 2, warmupSteps: 0, totalSteps: 4 } as const;
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((s) => learningRate(spec, s)),
    [2, 1.5, 1, 0.5, 0],
  );
});

test("constant and constant-with-warm-up", () => {
  assert.deepEqual(
    [0, 5, 500].map((s) => learningRate({ kind: "constant", lr: 0.3 }, s)),
    [0.3, 0.3, 0.3],
  );
  const warm = { kind: "constantWithWarmup", lr: 4, warmupSteps: 4 } as const;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 9].map((s) => learningRate(warm, s)),
    [0, 1, 2, 3, 4, 4],
  );
});

test("validateSchedule names the bad field", () => {
  assert.throws(() => validateSchedule({ kind: "linear", lr: 1, warmupSteps: -1, totalSteps: 3 }), /warmupSteps/);
  assert.throws(() => validateSchedule({ kind: "constant", lr: Number.NaN }), /schedule\.lr/);
});
