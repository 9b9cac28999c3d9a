import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanUpTokenization } from "./clean-up.js";
import { TokenizerError } from "./errors.js";
import { toInt32Array } from "./tensor.js";
import { longestFirst } from "./truncation.js";
import { parseMerges, parseVocabTxt } from "./vocab.js";

test("longestFirst matches transformers' one-token-at-a-time loop", () => {
  for (let a = 0; a <= 9; a++) {
    for (let b = 0; b <= 9; b++) {
      for (let budget = 0; budget <= 18; budget++) {
        let [x, y] = [a, b];
        while (x + y > budget) {
          if (x > y) x--;
          else y--;
        }
        assert.deepEqual(longestFirst(a, b, budget), [x, y], `${a}, ${b}, budget ${budget}`);
      }
    }
  }
});

test("cleanUpTokenization applies transformers' replacements", () => {
  assert.equal(
    cleanUpTokenization("hello , world ! is n't it ? i 'm sure they 're , we 've . it 's"),
    "hello, world! isn't it? i'm sure they're, we've. it's",
  );
  assert.equal(cleanUpTokenization("rock ' n ' roll"), "rock'n'roll");
});

test("toInt32Array packs rows and rejects ragged or non-int32 input", () => {
  const { data, shape } = toInt32Array([
    [1, 2, 3],
    [4, 5, -100],
  ]);
  assert.deepEqual(shape, [2, 3]);
  assert.deepEqual([...data], [1, 2, 3, 4, 5, -100]);
  assert.ok(data instanceof Int32Array);
  assert.deepEqual(toInt32Array([]).shape, [0, 0]);
  assert.throws(
    () => toInt32Array([[1, 2], [3]]),
    (e: unknown) => e instanceof TokenizerError && e.code === "RAGGED_ROWS" && /row 1 has 1/.test(e.message),
  );
  assert.throws(
    () => toInt32Array([[1.5]]),
    (e: unknown) => e instanceof TokenizerError && e.code === "NOT_INT32",
  );
});

test("vocab.txt and merges.txt parsing", () => {
  assert.deepEqual(parseVocabTxt("[PAD]\r\nhello\n##lo\n"), ["[PAD]", "hello", "##lo"]);
  assert.deepEqual(parseMerges("#version: 0.2\nĠ t\nh e\n\n"), [
    ["Ġ", "t"],
    ["h", "e"],
  ]);
  assert.throws(
    () => parseMerges("#version: 0.2\na b c\n"),
    (e: unknown) => e instanceof TokenizerError && /line 2/.test(e.message),
  );
});
