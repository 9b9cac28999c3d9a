import assert from "node:assert/strict";
import { test } from "node:test";
import { EvaluationError } from "./errors.js";
import { exactMatch } from "./exact-match.js";

// Published cases: huggingface/evaluate, metrics/exact_match/exact_match.py docstring examples (run as
// doctests by evaluate's test suite), printed there with round(..., 2).
const REFS = ["the cat", "theater", "YELLING", "agent007"];
const PREDS = ["cat?", "theater", "yelling", "agent"];

test("exact_match docstring example 1: no options = 0.25", () => {
  assert.equal(exactMatch(PREDS, REFS).exactMatch, 0.25);
});

test("exact_match docstring example 2: regexes 'the ', 'yell', ignore case and punctuation = 0.5", () => {
  const r = exactMatch(PREDS, REFS, { regexesToIgnore: ["the ", "yell"], ignoreCase: true, ignorePunctuation: true });
  assert.equal(r.exactMatch, 0.5);
});

test("exact_match docstring example 3: adding 'YELL' = 0.75", () => {
  const r = exactMatch(PREDS, REFS, {
    regexesToIgnore: ["the ", "yell", "YELL"],
    ignoreCase: true,
    ignorePunctuation: true,
  });
  assert.equal(r.exactMatch, 0.75);
});

test("exact_match docstring example 4: also ignoring numbers = 1.0", () => {
  const r = exactMatch(PREDS, REFS, {
    regexesToIgnore: ["the ", "yell", "YELL"],
    ignoreCase: true,
    ignorePunctuation: true,
    ignoreNumbers: true,
  });
  assert.equal(r.exactMatch, 1);
});

test("exact_match docstring example 5: sentences = 0.33", () => {
  const refs = ["The cat sat on the mat.", "Theaters are great.", "It's like comparing oranges and apples."];
  const preds = ["The cat sat on the mat?", "Theaters are great.", "It's like comparing apples and oranges."];
  assert.equal(Math.round(exactMatch(preds, refs).exactMatch * 100) / 100, 0.33);
});

test("pairs emptied by normalization match only if the originals were identical", () => {
  assert.equal(exactMatch(["!!"], ["??"], { ignorePunctuation: true }).exactMatch, 0);
  assert.equal(exactMatch(["!!"], ["!!"], { ignorePunctuation: true }).exactMatch, 1);
  assert.equal(exactMatch([""], [""]).exactMatch, 1);
});

test("RegExp patterns are applied to every match", () => {
  assert.equal(exactMatch(["a1b2"], ["ab"], { regexesToIgnore: [/\d/] }).exactMatch, 1);
  assert.throws(
    () => exactMatch(["a"], ["a"], { regexesToIgnore: ["("] }),
    (e: unknown) => e instanceof EvaluationError && e.code === "INVALID_OPTION" && e.index === 0,
  );
});
