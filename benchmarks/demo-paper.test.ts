import assert from "node:assert/strict";
import { test } from "node:test";
import { orderingChecks, sariOrder } from "./demo-paper.js";

const interval = (score: number, half = 1): { score: number; low: number; high: number } => ({
  score,
  low: score - half,
  high: score + half,
});
/** A composition's scores: SARI with its interval's half-width, and an exact match above copying's 0. */
const scores = (sari: number, half: number, exact = 5) => ({
  sari: interval(sari, half),
  exact_match: interval(exact, 0.5),
  bleu: interval(50),
  rouge2: interval(50),
});
const run = (rows: Record<string, ReturnType<typeof scores>>) => ({
  compositions: Object.entries(rows).map(([name, s]) => ({ name, scores: s })),
  baseline: { name: "copy the input", scores: scores(65, 1, 0) },
});

test("orderingChecks: the paper's ordering holds only with non-overlapping SARI intervals and exact matches above copying", () => {
  const paper = run({
    Rnd2Rnd: scores(30, 2),
    BERT2Rnd: scores(40, 5),
    BERT2BERT: scores(42, 6),
    BERTShare: scores(41, 4),
  });
  assert.ok(orderingChecks(paper).every((c) => c.holds));
  assert.deepEqual(sariOrder(paper), ["BERT2BERT", "BERTShare", "BERT2Rnd", "Rnd2Rnd"]);

  const overlapping = run({
    Rnd2Rnd: scores(30, 2),
    BERT2Rnd: scores(33, 2), // 31 <= 32: the intervals overlap
    BERT2BERT: scores(42, 6),
    BERTShare: scores(43, 4),
  });
  const failed = orderingChecks(overlapping).filter((c) => !c.holds);
  assert.deepEqual(
    failed.map((c) => c.name),
    ["BERT2Rnd above Rnd2Rnd (SARI, non-overlapping 95% intervals)"],
  );

  const noExact = run({
    Rnd2Rnd: { ...scores(30, 1), exact_match: interval(0, 0) },
    BERT2Rnd: scores(40, 5),
    BERT2BERT: scores(45, 2),
    BERTShare: scores(41, 1), // 42 < 45: BERTShare below BERT2BERT beyond its interval
  });
  const names = orderingChecks(noExact)
    .filter((c) => !c.holds)
    .map((c) => c.name);
  assert.deepEqual(names, [
    "BERTShare at least as good as BERT2BERT within its interval (SARI)",
    "Rnd2Rnd above the copy baseline in exact match",
  ]);
  assert.throws(() => orderingChecks(run({ Rnd2Rnd: scores(1, 1) })), /no BERT2Rnd/);
});
