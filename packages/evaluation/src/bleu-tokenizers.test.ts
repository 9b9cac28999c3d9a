import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenize13a, tokenizeChar, tokenizeIntl } from "./bleu-tokenizers.js";
import { pySplit } from "./python-text.js";

// Outputs of sacreBLEU's Tokenizer13a, from ../shared/research/metric_vectors.md ("13a tokenizer", computed
// by running sacrebleu/tokenizers/tokenizer_13a.py).
test("13a: contractions, numbers, entities and abbreviations as sacreBLEU tokenizes them", () => {
  assert.equal(tokenize13a("It wasn't surprising."), "It wasn't surprising .");
  assert.equal(
    tokenize13a('Hello, world! 3.14 and 1,000-2 &amp; "quoted"'),
    'Hello , world ! 3.14 and 1,000 - 2 & " quoted "',
  );
  assert.equal(tokenize13a("The U.S.A. (e.g.) cost $5.00/hr."), "The U . S . A . ( e . g . ) cost $ 5.00 / hr .");
});

test("13a: <skipped>, hyphenated line breaks and newlines", () => {
  assert.equal(tokenize13a("a<skipped>b"), "ab");
  assert.equal(tokenize13a("co-\noperate\nnow"), "cooperate now");
  assert.equal(tokenize13a(""), "");
});

test("intl: Unicode punctuation and symbols split unless a number touches them", () => {
  assert.equal(tokenizeIntl("Hello, «world»! 1,000.5 €"), "Hello , « world » ! 1,000.5 €");
  // mteval-v14 quirk kept by sacreBLEU: a number followed by a final period keeps the period.
  assert.equal(tokenizeIntl("in 1999."), "in 1999.");
});

test("char: one token per code point, astral characters kept whole", () => {
  assert.equal(tokenizeChar("ab 😀"), "a b   😀");
  assert.deepEqual(pySplit(tokenizeChar("ab 😀")), ["a", "b", "😀"]);
});

test("whitespace splitting follows Python's str.split", () => {
  // U+001F and U+0085 are whitespace to Python, U+FEFF is not (JavaScript's \s says the opposite).
  assert.deepEqual(pySplit("a\u001fb\u0085c\ufeffd"), ["a", "b", "c\ufeffd"]);
  assert.deepEqual(pySplit("  "), []);
});
