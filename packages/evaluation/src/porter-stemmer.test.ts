import assert from "node:assert/strict";
import { test } from "node:test";
import { PorterStemmer, porterMeasure } from "./porter-stemmer.js";

// nltk/nltk, nltk/test/stem.doctest ("Unit tests for the Porter stemmer"), default mode NLTK_EXTENSIONS:
//   >>> print(' '.join(singles))
//   caress fli die mule deni die agre own humbl size meet
//   state siez item sensat tradit refer colon plot
test("NLTK stem.doctest: pluralised words stem as NLTK's PorterStemmer() does", () => {
  const plurals = [
    "caresses",
    "flies",
    "dies",
    "mules",
    "denied",
    "died",
    "agreed",
    "owned",
    "humbled",
    "sized",
    "meeting",
    "stating",
    "siezing",
    "itemization",
    "sensational",
    "traditional",
    "reference",
    "colonizer",
    "plotted",
  ];
  const expected =
    "caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot";
  const stemmer = new PorterStemmer();
  assert.equal(plurals.map((w) => stemmer.stem(w)).join(" "), expected);
});

// nltk/nltk, nltk/test/unit/test_stem.py, PorterTest.test_oed_bug (issue #1581).
test("NLTK test_oed_bug: 'oed' stems to 'o' without failing", () => {
  assert.equal(new PorterStemmer().stem("oed"), "o");
});

// The NLTK_EXTENSIONS departures documented in nltk/stem/porter.py; each pair shows the mode matters,
// which is why ROUGE must use this mode (rouge_score calls porter.PorterStemmer() with no mode).
test("NLTK extensions differ from Martin Porter's version where porter.py says they do", () => {
  const nltk = new PorterStemmer("NLTK_EXTENSIONS");
  const martin = new PorterStemmer("MARTIN_EXTENSIONS");
  // "this NLTK-only rule extends the original algorithm, so that 'flies'->'fli' but 'dies'->'die'"
  assert.equal(nltk.stem("dies"), "die");
  assert.equal(martin.stem("dies"), "di");
  assert.equal(nltk.stem("flies"), "fli");
  // "'spied'->'spi' but 'died'->'die'"
  assert.equal(nltk.stem("spied"), "spi");
  assert.equal(nltk.stem("died"), "die");
  // (*c and not c) Y -> I: 'happy' -> 'happi' but 'enjoy' -> 'enjoy'
  assert.equal(nltk.stem("happy"), "happi");
  assert.equal(nltk.stem("enjoy"), "enjoy");
  // The irregular-form table.
  assert.equal(nltk.stem("skies"), "sky");
  assert.equal(nltk.stem("dying"), "die");
  assert.equal(nltk.stem("news"), "news");
  assert.equal(nltk.stem("innings"), "inning");
  assert.equal(martin.stem("innings"), "in");
  assert.equal(nltk.stem("succeed"), "succeed");
});

test("the published algorithm keeps -abli, the extensions use -bli", () => {
  // Step 2 --DEPARTURE--: bli -> ble (with m > 0 on the stem) instead of abli -> able.
  assert.equal(new PorterStemmer("ORIGINAL_ALGORITHM").stem("possibli"), "possibli");
  assert.equal(new PorterStemmer("MARTIN_EXTENSIONS").stem("possibli"), "possibl");
});

test("measure m counts vowel-consonant boundaries as in Porter's examples", () => {
  // From the paper: m=0 TR, EE, TREE, Y, BY; m=1 TROUBLE, OATS, TREES, IVY; m=2 TROUBLES, PRIVATE, OATEN, ORRERY.
  for (const w of ["tr", "ee", "tree", "y", "by"]) assert.equal(porterMeasure(w), 0, w);
  for (const w of ["trouble", "oats", "trees", "ivy"]) assert.equal(porterMeasure(w), 1, w);
  for (const w of ["troubles", "private", "oaten", "orrery"]) assert.equal(porterMeasure(w), 2, w);
});

test("words of one or two letters and long runs of y are handled", () => {
  const stemmer = new PorterStemmer();
  assert.equal(stemmer.stem("is"), "is");
  assert.equal(stemmer.stem("a"), "a");
  // A consonant test that recursed per y would overflow the stack here.
  const ys = "y".repeat(200_000);
  assert.equal(typeof stemmer.stem(ys), "string");
});

test("stem lower-cases first unless told not to", () => {
  const stemmer = new PorterStemmer();
  assert.equal(stemmer.stem("Running"), "run");
  assert.equal(stemmer.stem("On"), "on");
});
