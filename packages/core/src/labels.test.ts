import assert from "node:assert/strict";
import { test } from "node:test";
import { IGNORE_INDEX, LabelError, shiftTokensRight } from "./index.js";

test("shiftTokensRight(labels, pad, start) prepends the start token, drops the last column, maps -100 to pad", () => {
  assert.equal(IGNORE_INDEX, -100);
  assert.deepEqual(
    shiftTokensRight(
      [
        [5, 6, 7, -100],
        [8, -100, -100, -100],
      ],
      0,
      101,
    ),
    [
      [101, 5, 6, 7],
      [101, 8, 0, 0],
    ],
  );
  // transformers' order: the pad id comes before the start id (GPT-2 recipes use one id for both).
  assert.deepEqual(shiftTokensRight([[4, -100, 9]], 1, 2), [[2, 4, 1]]);
  assert.deepEqual(shiftTokensRight([[], [3]], 0, 2), [[], [2]]);
});

test("shiftTokensRight refuses ids that are not token ids, naming the argument", () => {
  const rejects = (run: () => unknown, code: string, pattern: RegExp): void =>
    assert.throws(run, (e: unknown) => e instanceof LabelError && e.code === code && pattern.test(e.message));
  rejects(() => shiftTokensRight([[1]], -1, 101), "INVALID_TOKEN_ID", /padTokenId .* got -1/);
  rejects(() => shiftTokensRight([[1]], 0, 1.5), "INVALID_TOKEN_ID", /decoderStartTokenId .* got 1\.5/);
  rejects(() => shiftTokensRight([[1, -5, 2]], 0, 1), "INVALID_LABELS", /labels\[0\]\[1\] is -5/);
  rejects(() => shiftTokensRight([[1, 2, 0.5]], 0, 1), "INVALID_LABELS", /labels\[0\]\[2\] is 0\.5/);
  rejects(() => shiftTokensRight([[1], 3 as unknown as number[]], 0, 1), "INVALID_LABELS", /labels\[1\]/);
});
