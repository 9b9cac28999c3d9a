import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, withRetry } from "./retry.js";

test("backoff doubles from delayMs and stops at maxDelayMs", () => {
  const options = { retries: 10, delayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test("withRetry retries transient errors up to the limit, then rethrows the last one", async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error(`try ${calls}`);
      },
      () => true,
      { retries: 2, delayMs: 1, maxDelayMs: 1 },
    ),
    /try 3/,
  );
  assert.equal(calls, 3);
});

test("withRetry does not retry errors judged permanent, and returns the first success", async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error("permanent");
      },
      () => false,
      { retries: 5, delayMs: 1, maxDelayMs: 1 },
    ),
    /permanent/,
  );
  assert.equal(calls, 1);
  const value = await withRetry(
    async (attempt) => (attempt < 2 ? Promise.reject(new Error("x")) : attempt),
    () => true,
    {
      retries: 5,
      delayMs: 1,
      maxDelayMs: 1,
    },
  );
  assert.equal(value, 2);
});
