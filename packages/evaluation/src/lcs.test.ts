import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { lcsIndices, lcsLength, lcsLengthDp, lcsTable } from "./lcs.js";

test("bit-parallel LCS length equals the DP table's on random sequences of every word boundary", () => {
  const rng = new SeededRandom(17);
  for (let trial = 0; trial < 300; trial++) {
    const lenA = rng.int(100);
    const lenB = rng.int(100);
    const alphabet = 1 + rng.int(8);
    const a = Int32Array.from({ length: lenA }, () => rng.int(alphabet));
    const b = Int32Array.from({ length: lenB }, () => rng.int(alphabet));
    const expected = lcsLengthDp(a, b);
    assert.equal(lcsLength(a, b), expected, `trial ${trial}`);
    assert.equal(lcsLength(b, a), expected, `trial ${trial} swapped`);
    assert.equal(lcsTable(a, b)[lenA * (lenB + 1) + lenB], expected);
    assert.equal(lcsIndices(a, b).length, expected);
  }
});

test("LCS of long sequences is fast", () => {
  const a = Int32Array.from({ length: 20_000 }, (_, i) => i % 997);
  const b = Int32Array.from(a).reverse();
  const t0 = performance.now();
  assert.equal(lcsLength(a, b), lcsLength(b, a));
  assert.ok(performance.now() - t0 < 5_000);
});
