import assert from "node:assert/strict";
import { test } from "node:test";
import { bleu, sentenceBleu } from "./bleu.js";
import { EvaluationError } from "./errors.js";
import { exactMatch } from "./exact-match.js";
import { rouge } from "./rouge.js";
import { sari } from "./sari.js";

// Acceptance 2: empty prediction, empty reference, unicode, very long inputs give defined numbers (never
// NaN); bad input raises an EvaluationError naming the argument and index.

function assertFiniteDeep(value: unknown, path = "result"): void {
  if (typeof value === "number") {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertFiniteDeep(v, `${path}[${i}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) assertFiniteDeep(v, `${path}.${k}`);
  }
}

const CASES: [string, string[], string[]][] = [
  ["empty prediction", [""], ["the cat sat"]],
  ["empty reference", ["the cat sat"], [""]],
  ["both empty", [""], [""]],
  ["whitespace and punctuation only", [" \n\t ... "], ["!!!"]],
  ["unicode", ["Ünïcödé ☃ 日本語のテキスト 😀 ﬁ İstanbul"], ["unicode ☃ 日本語 テキスト 😀 fi istanbul"]],
];

for (const [name, predictions, references] of CASES) {
  test(`${name}: every metric returns finite numbers`, () => {
    assertFiniteDeep(rouge(predictions, references, { useStemmer: true }));
    assertFiniteDeep(rouge(predictions, references, { useAggregator: false }));
    assertFiniteDeep(
      sari(
        predictions.map(() => "a source sentence"),
        predictions,
        references.map((r) => [r]),
      ),
    );
    assertFiniteDeep(exactMatch(predictions, references));
    // sacreBLEU scores an empty-string reference as a reference of length 0, so these are numbers too.
    assertFiniteDeep(
      bleu(
        predictions,
        references.map((r) => [r]),
      ),
    );
    assertFiniteDeep(sentenceBleu(predictions[0] as string, references));
  });
}

test("unicode: ROUGE keeps only a-z0-9 after lower-casing, so accented letters split words", () => {
  const [r] = rouge(["café"], ["caf"], { useAggregator: false, rougeTypes: ["rouge1"] });
  assert.equal(r?.rouge1?.fmeasure, 1);
  // İ lower-cases to i + U+0307 in Python and JavaScript alike, leaving the token "i".
  const [s] = rouge(["İ"], ["i"], { useAggregator: false, rougeTypes: ["rouge1"] });
  assert.equal(s?.rouge1?.fmeasure, 1);
});

test("very long inputs (20,000 words) score without NaN, throwing or running long", () => {
  const words = Array.from({ length: 20_000 }, (_, i) => `w${i % 997}`);
  const long = words.join(" ");
  const shuffled = [...words].reverse().join(" ");
  const t0 = performance.now();
  const [r] = rouge([long], [shuffled], { useAggregator: false, rougeTypes: ["rouge1", "rouge2", "rougeL"] });
  assertFiniteDeep(r);
  assert.equal(r?.rouge1?.fmeasure, 1);
  // rougeLsum keeps a full LCS table per sentence pair (as rouge_score does), so it gets 1,000-word lines.
  const lines = Array.from({ length: 10 }, (_, k) => words.slice(k * 1000, (k + 1) * 1000).join(" ")).join("\n");
  const refLines = Array.from({ length: 2 }, (_, k) =>
    words
      .slice(k * 1000, (k + 1) * 1000)
      .reverse()
      .join(" "),
  ).join("\n");
  assertFiniteDeep(rouge([lines], [refLines], { useAggregator: false, rougeTypes: ["rougeLsum"] }));
  assertFiniteDeep(bleu([long], [[shuffled]]));
  assertFiniteDeep(sari([shuffled], [long], [[long]]));
  assert.ok(performance.now() - t0 < 30_000);
});

test("bad input: non-arrays, non-strings and length mismatches name the argument and index", () => {
  const expectError = (f: () => unknown, code: string, argument: string, index?: number) =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof EvaluationError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.argument, argument);
      assert.equal(e.index, index);
      assert.ok(e.message.length > 0);
      return true;
    });
  expectError(() => rouge("a" as unknown as string[], ["a"]), "INVALID_ARGUMENT", "predictions");
  expectError(() => rouge(["a", 3 as unknown as string], ["a", "b"]), "INVALID_ARGUMENT", "predictions", 1);
  expectError(() => rouge(["a"], [null as unknown as string]), "INVALID_ARGUMENT", "references", 0);
  expectError(() => rouge(["a", "b"], ["a"]), "LENGTH_MISMATCH", "references");
  expectError(() => rouge([], []), "EMPTY_INPUT", "predictions");
  expectError(() => bleu(["a"], ["a" as unknown as string[]]), "INVALID_ARGUMENT", "references", 0);
  expectError(() => bleu(["a"], [[]]), "EMPTY_REFERENCE", "references", 0);
  expectError(() => bleu(["a", "b"], [["a"]]), "LENGTH_MISMATCH", "references");
  expectError(() => sentenceBleu(undefined as unknown as string, ["a"]), "INVALID_ARGUMENT", "prediction");
  expectError(() => sari(["s"], ["p", "q"], [["r"]]), "LENGTH_MISMATCH", "predictions");
  expectError(() => sari(["s"], ["p"], [[5 as unknown as string]]), "INVALID_ARGUMENT", "references", 0);
  expectError(() => exactMatch(["a"], [undefined as unknown as string]), "INVALID_ARGUMENT", "references", 0);
  expectError(
    () => rouge(["a"], ["a"], { useStemmer: "yes" as unknown as boolean }),
    "INVALID_OPTION",
    "options.useStemmer",
  );
});
