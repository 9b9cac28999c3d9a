import assert from "node:assert/strict";
import { test } from "node:test";
import { startOrSkip } from "./start-or-skip.js";

test("startOrSkip goes on after a successful start, skips an optional failure and rethrows a required one", async () => {
  const skipped: (string | undefined)[] = [];
  const t = { skip: (message?: string) => void skipped.push(message) };
  assert.equal(await startOrSkip(t, async () => undefined, false), true);
  assert.equal(await startOrSkip(t, () => Promise.reject(new Error("no addon")), true), false);
  assert.deepEqual(skipped, ["no addon"]);
  await assert.rejects(
    startOrSkip(t, () => Promise.reject(new Error("broken")), false),
    /broken/,
  );
});
