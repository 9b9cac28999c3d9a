import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, formatProgress } from "./progress.js";

test("formatDuration: seconds, minutes with padded seconds, hours with padded minutes, ? when unknown", () => {
  assert.equal(formatDuration(5), "5s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(Number.NaN), "?");
  assert.equal(formatDuration(-1), "?");
});

test("formatProgress estimates the time left from this run's pace", () => {
  const line = formatProgress({
    step: 10,
    totalSteps: 40,
    loss: 2.5,
    learningRate: 5e-5,
    tokensPerSecond: 812.4,
    elapsedSeconds: 20,
    stepsThisRun: 10,
  });
  assert.equal(line, "step 10/40 (25%) loss 2.5000 lr 5.00e-5 812 tok/s ETA 1m00s");
});
