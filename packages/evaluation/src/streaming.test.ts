import assert from "node:assert/strict";
import { test } from "node:test";
import { bleu } from "./bleu.js";
import { EvaluationError } from "./errors.js";
import { exactMatch } from "./exact-match.js";
import { rouge } from "./rouge.js";
import { sari } from "./sari.js";
import { createMetric } from "./streaming.js";

const PREDICTIONS = [
  "The dog bit the man.",
  "It wasn't surprising.",
  "The man had just bitten him.",
  "a completely unrelated line\nwith a second sentence",
  "",
  "Ünïcödé téxt, ça va ?",
];
const REFERENCES = [
  ["The dog bit the man.", "The dog had bit the man."],
  ["It was not unexpected.", "No one was surprised."],
  ["The man bit him first.", "The man had bitten the dog."],
  ["another line\nwith a sentence", "unrelated"],
  ["nothing here"],
  ["Unicode text, ça va?"],
];
const SOURCES = PREDICTIONS.map((p) => `${p} source words`);

function inBatches<T>(n: number, f: (start: number, end: number) => T): T[] {
  const out: T[] = [];
  for (let start = 0; start < PREDICTIONS.length; start += n) {
    out.push(f(start, Math.min(start + n, PREDICTIONS.length)));
  }
  return out;
}

test("streaming ROUGE (aggregated and per example) equals one-shot rouge", () => {
  const oneShot = rouge(PREDICTIONS, REFERENCES, { useStemmer: true, seed: 3 });
  const m = createMetric("rouge", { useStemmer: true, seed: 3 });
  inBatches(4, (s, e) => m.add({ predictions: PREDICTIONS.slice(s, e), references: REFERENCES.slice(s, e) }));
  assert.equal(m.count, PREDICTIONS.length);
  assert.deepEqual(m.compute(), oneShot);

  const perExample = createMetric("rouge", { useAggregator: false });
  inBatches(1, (s, e) => perExample.add({ predictions: PREDICTIONS.slice(s, e), references: REFERENCES.slice(s, e) }));
  assert.deepEqual(perExample.compute(), rouge(PREDICTIONS, REFERENCES, { useAggregator: false }));
});

test("streaming BLEU equals one-shot bleu, signature included", () => {
  const m = createMetric("bleu", { tokenize: "intl", smoothMethod: "add-k" });
  inBatches(2, (s, e) => m.add({ predictions: PREDICTIONS.slice(s, e), references: REFERENCES.slice(s, e) }));
  assert.deepEqual(m.compute(), bleu(PREDICTIONS, REFERENCES, { tokenize: "intl", smoothMethod: "add-k" }));
});

test("streaming SARI equals one-shot sari", () => {
  const m = createMetric("sari");
  inBatches(5, (s, e) =>
    m.add({ sources: SOURCES.slice(s, e), predictions: PREDICTIONS.slice(s, e), references: REFERENCES.slice(s, e) }),
  );
  assert.deepEqual(m.compute(), sari(SOURCES, PREDICTIONS, REFERENCES));
});

test("streaming exact match equals one-shot exactMatch", () => {
  const refs = REFERENCES.map((r) => r[0] as string);
  const m = createMetric("exact_match", { ignoreCase: true });
  inBatches(3, (s, e) => m.add({ predictions: PREDICTIONS.slice(s, e), references: refs.slice(s, e) }));
  assert.deepEqual(m.compute(), exactMatch(PREDICTIONS, refs, { ignoreCase: true }));
});

test("compute can be called between batches and with nothing added is a typed error", () => {
  const m = createMetric("bleu");
  assert.throws(
    () => m.compute(),
    (e: unknown) => e instanceof EvaluationError && e.code === "EMPTY_INPUT",
  );
  m.add({ predictions: ["a b c d"], references: [["a b c d"]] });
  assert.ok(Math.abs(m.compute().score - 100) < 1e-9);
  m.add({ predictions: ["x"], references: [["y"]] });
  assert.ok(m.compute().score < 100);
});

test("errors in a later batch name the example's index in the whole stream", () => {
  const m = createMetric("exact_match");
  m.add({ predictions: ["a", "b"], references: ["a", "b"] });
  assert.throws(
    () => m.add({ predictions: ["c", 4 as unknown as string], references: ["c", "d"] }),
    (e: unknown) => e instanceof EvaluationError && e.argument === "predictions" && e.index === 3,
  );
  assert.throws(
    () => createMetric("meteor" as "bleu"),
    (e: unknown) => e instanceof EvaluationError && e.code === "UNKNOWN_METRIC",
  );
});
