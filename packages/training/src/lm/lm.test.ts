import assert from "node:assert/strict";
import { test } from "node:test";
import { causalLmLabels, groupTexts } from "./clm.js";
import { IGNORE_INDEX } from "@warmstart/core";
import { maskTokens } from "./mlm.js";

const CLS = 0;
const SEP = 1;
const PAD = 2;
const MASK = 3;
const VOCAB = 1000;

test("maskTokens: 15% chosen, 80/10/10, specials never touched, labels -100 elsewhere", () => {
  const rows: number[][] = [];
  for (let r = 0; r < 400; r++) {
    rows.push([CLS, ...Array.from({ length: 98 }, (_, j) => 10 + ((r * 31 + j * 7) % 900)), SEP, PAD, PAD]);
  }
  const { inputIds, labels } = maskTokens(rows, {
    maskTokenId: MASK,
    vocabSize: VOCAB,
    specialTokenIds: [CLS, SEP, PAD, MASK],
    rng: 5,
  });
  let chosen = 0;
  let masked = 0;
  let replaced = 0;
  let kept = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as number[];
    for (let j = 0; j < row.length; j++) {
      const original = row[j] as number;
      const input = inputIds[r]?.[j] as number;
      const label = labels[r]?.[j] as number;
      if (original < 10) {
        assert.equal(input, original, "special token changed");
        assert.equal(label, IGNORE_INDEX);
        continue;
      }
      if (label === IGNORE_INDEX) {
        assert.equal(input, original, "unchosen token changed");
        continue;
      }
      assert.equal(label, original);
      chosen += 1;
      if (input === MASK) masked += 1;
      else if (input === original) kept += 1;
      else replaced += 1;
    }
  }
  const total = 400 * 98;
  assert.ok(Math.abs(chosen / total - 0.15) < 0.01, `chosen share ${chosen / total}`);
  assert.ok(Math.abs(masked / chosen - 0.8) < 0.02, `mask share ${masked / chosen}`);
  // A random draw equals the original 1 time in 1000, so "kept" is ~10% plus a hair.
  assert.ok(Math.abs(replaced / chosen - 0.1) < 0.015, `random share ${replaced / chosen}`);
  assert.ok(Math.abs(kept / chosen - 0.1) < 0.015, `keep share ${kept / chosen}`);
});

test("maskTokens is a pure function of its seed", () => {
  const rows = [[CLS, 11, 12, 13, 14, 15, 16, 17, 18, 19, SEP]];
  const options = { maskTokenId: MASK, vocabSize: VOCAB, specialTokenIds: [CLS, SEP, PAD], probability: 0.5, rng: 1 };
  const a = maskTokens(rows, options);
  assert.deepEqual(maskTokens(rows, options), a);
  assert.deepEqual(rows[0], [CLS, 11, 12, 13, 14, 15, 16, 17, 18, 19, SEP], "input must not change");
  assert.notDeepEqual(maskTokens(rows, { ...options, rng: 2 }), a);
  assert.throws(() => maskTokens(rows, { ...options, probability: 1.5 }), { code: "INVALID_OPTION" });
});

test("causalLmLabels copies ids and ignores padding; groupTexts cuts full blocks", () => {
  assert.deepEqual(causalLmLabels([[5, 6, PAD]], { padTokenId: PAD }), [[5, 6, IGNORE_INDEX]]);
  assert.deepEqual(causalLmLabels([[5, 6, 7]], { attentionMask: [[1, 0, 1]] }), [[5, IGNORE_INDEX, 7]]);
  assert.deepEqual(
    groupTexts(
      [
        [1, 2, 3],
        [4, 5],
        [6, 7, 8],
      ],
      3,
    ),
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
  );
});
