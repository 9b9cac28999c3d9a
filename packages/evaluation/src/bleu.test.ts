import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { bleu, computeBleu, sentenceBleu, type BleuOptions } from "./bleu.js";
import { EvaluationError } from "./errors.js";

// Published cases: mjpost/sacrebleu, test/test_bleu.py and test/test_sentence_bleu.py (sacreBLEU's own
// suite), as in ../shared/research/metric_vectors.md section 2. sacreBLEU takes reference *streams*
// (refs[k][i]); this API takes references[i] = the references of prediction i, hence the transpose.

const HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
const REF_STREAMS = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
];
const REFS = HYPS.map((_, i) => REF_STREAMS.map((stream) => stream[i] as string));

test("test_bleu.py test_corpus_bleu: README example with default settings (13a, exp) = 48.530827", () => {
  const r = bleu(HYPS, REFS);
  assertClose([r.score], [48.530827], 1e-6, "BLEU");
  // Sufficient statistics from running sacreBLEU (metric_vectors.md, [computed]).
  assert.deepEqual(r.counts, [14, 7, 5, 3]);
  assert.deepEqual(r.totals, [17, 14, 11, 8]);
  assert.equal(r.sysLen, 17);
  assert.equal(r.refLen, 18);
  assert.equal(r.signature, "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp");
});

test("test_bleu.py test_corpus_bleu: empty hypotheses are kept and score 0", () => {
  assert.equal(bleu(["", "", ""], REFS).score, 0);
});

test("test_bleu.py test_corpus_bleu: tokenize none / 13a / intl and smooth_method none", () => {
  const cases: [BleuOptions, number][] = [
    [{ tokenize: "none" }, 49.1919566],
    [{ tokenize: "13a" }, 48.530827],
    [{ tokenize: "intl" }, 43.91623493],
    [{ smoothMethod: "none" }, 48.530827],
  ];
  for (const [options, expected] of cases) {
    assertClose([bleu(HYPS, REFS, options).score], [expected], 1e-6, JSON.stringify(options));
  }
  const none = bleu(HYPS, REFS, { tokenize: "none" });
  assert.deepEqual([none.counts, none.totals, none.sysLen, none.refLen], [[10, 6, 4, 2], [14, 11, 8, 5], 14, 15]);
  assert.deepEqual(bleu(HYPS, REFS, { tokenize: "intl" }).totals, [19, 16, 13, 10]);
});

// sacrebleu.raw_corpus_bleu(sys, refs, smooth_value) = tokenize 'none', smooth 'floor', effective order.
function rawCorpusBleu(sys: string[], refStream: string[], smoothValue?: number) {
  return bleu(
    sys,
    sys.map((_, i) => [refStream[i] as string]),
    {
      tokenize: "none",
      smoothMethod: "floor",
      smoothValue,
      effectiveOrder: true,
    },
  );
}

test("test_bleu.py test_raw_bleu and test_effective_order", () => {
  const cases: [string[], string[], number][] = [
    [["this is a test"], ["this is a test"], 1.0],
    [["this is a fest"], ["this is a test"], 0.223606797749979],
    // sacreBLEU issue #141: no matches at any order is 0 even with floor smoothing.
    [["this is a test", "another test"], ["ref1", "ref2"], 0.0],
    [["test"], ["a test"], 0.3678794411714425],
    [["a test"], ["a test"], 1.0],
    [["a little test"], ["a test"], 0.03218297948685433],
  ];
  for (const [sys, refs, expected] of cases) {
    assertClose([rawCorpusBleu(sys, refs, 0.01).score / 100], [expected], 1e-8, sys.join("|"));
  }
});

test("test_bleu.py test_statistics and test_offset", () => {
  const hyp = ["am I am a character sequence"];
  const ref = ["I am a symbol string sequence a a"];
  const r = rawCorpusBleu(hyp, ref, 0.01);
  assert.deepEqual(
    [r.counts, r.totals],
    [
      [4, 2, 1, 0],
      [6, 5, 4, 3],
    ],
  );
  assert.equal(rawCorpusBleu(hyp, ref, 0).score / 100, 0);
  assertClose([rawCorpusBleu(hyp, ref).score / 100], [0.1555722182], 1e-8, "floor default 0.1");
});

test("test_bleu.py test_scoring and test_degenerate_statistics (compute_bleu directly)", () => {
  const s = computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], sysLen: 11, refLen: 11 });
  assertClose([s.score / 100], [0.8375922397], 1e-8, "scoring");
  const degenerate: [number[], number[], number, number, number][] = [
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ];
  for (const [correct, total, sysLen, refLen, offset] of degenerate) {
    const r = computeBleu({ correct, total, sysLen, refLen }, { smoothMethod: "floor", smoothValue: offset });
    assert.equal(r.score, 0, JSON.stringify([correct, total, sysLen, refLen, offset]));
  }
});

// test_sentence_bleu.py (example from sacreBLEU issue #98; note U+0163 in REF and U+021B in SYS), EPSILON 1e-3.
const REF = "producţia de zahăr brut se exprimă în zahăr alb;";
const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

test("test_sentence_bleu.py test_api_sentence_bleu: smoothing methods, tokenizers and case", () => {
  const cases: [BleuOptions, number][] = [
    [{ smoothMethod: "exp" }, 8.493],
    [{ smoothMethod: "none" }, 0.0],
    [{ smoothMethod: "floor" }, 4.51688],
    [{ smoothMethod: "floor", smoothValue: 0.1 }, 4.51688],
    [{ smoothMethod: "floor", smoothValue: 0.5 }, 10.1],
    [{ smoothMethod: "add-k" }, 14.882],
    [{ smoothMethod: "add-k", smoothValue: 1 }, 14.882],
    [{ smoothMethod: "add-k", smoothValue: 2 }, 21.389],
    [{ tokenize: "none" }, 7.347],
    [{ tokenize: "intl" }, 8.493],
    [{ tokenize: "char" }, 40.8759],
    [{ tokenize: "char", lowercase: true }, 42.0267],
  ];
  for (const [options, expected] of cases) {
    assertClose(
      [sentenceBleu(SYS, [REF], { ...options, effectiveOrder: true }).score],
      [expected],
      1e-3,
      JSON.stringify(options),
    );
  }
});

test("test_sentence_bleu.py test_api_sentence_bleu_zero: no overlap is 0 for every smoothing", () => {
  const cases: BleuOptions[] = [
    { smoothMethod: "exp" },
    { smoothMethod: "none" },
    { smoothMethod: "floor" },
    { smoothMethod: "floor", smoothValue: 0.1 },
    { smoothMethod: "add-k" },
    { smoothMethod: "add-k", smoothValue: 1 },
  ];
  for (const options of cases) assert.equal(sentenceBleu("this is a cat", ["okay thanks"], options).score, 0);
});

test("sentenceBleu defaults to effective order, like sacrebleu.sentence_bleu", () => {
  const r = sentenceBleu("a test", ["a test"]);
  assertClose([r.score], [100], 1e-9, "short exact match");
  assert.match(r.signature, /eff:yes/);
  assert.equal(bleu(["a test"], [["a test"]]).score < 100, true);
});

test("signature: lower-case, floor value, variable reference counts", () => {
  const r = bleu(["a b", "c d"], [["a b"], ["c d", "c e"]], { lowercase: true, smoothMethod: "floor" });
  assert.equal(r.signature, "nrefs:var|case:lc|eff:no|tok:13a|smooth:floor[0.10]");
});

test("an empty-string reference is kept as sacreBLEU 2.6.0 keeps it: it counts in nrefs and has length 0", () => {
  // Expected values from sacrebleu 2.6.0 (oracle/metrics_probe.py runs the same cases live).
  const extra = bleu(
    HYPS,
    REFS.map((r) => [...r, ""]),
  );
  assertClose([extra.score], [48.530827009929865], 1e-9, "with an extra empty reference each");
  assert.equal(extra.signature, "nrefs:3|case:mixed|eff:no|tok:13a|smooth:exp");
  // Every reference of an example empty: a score, not an error.
  const allEmpty = bleu(
    ["x", "y"],
    [
      ["x", ""],
      ["", ""],
    ],
  );
  assert.equal(allEmpty.score, 0);
  assert.deepEqual(
    [allEmpty.counts, allEmpty.totals, allEmpty.sysLen, allEmpty.refLen],
    [[1, 0, 0, 0], [2, 0, 0, 0], 2, 1],
  );
  assert.equal(allEmpty.signature, "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp");
  const emptyBoth = bleu([""], [[""]]);
  assert.deepEqual([emptyBoth.score, emptyBoth.sysLen, emptyBoth.refLen, emptyBoth.bp], [0, 0, 0, 1]);
  const onlyEmpty = bleu(["the cat sat"], [[""]]);
  assert.deepEqual([onlyEmpty.score, onlyEmpty.totals, onlyEmpty.refLen], [0, [3, 2, 1, 0], 0]);
  // The empty reference is the closest length (a tie goes to the shorter), so it sets the brevity penalty.
  const variable = bleu(["a b", "the cat sat"], [["", "a b c d"], ["the cat sat on the mat"]]);
  assert.deepEqual([variable.counts, variable.sysLen, variable.refLen], [[5, 3, 1, 0], 5, 6]);
  assert.equal(variable.signature, "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp");
  const sentence = sentenceBleu("the cat", ["", "the cat sat on the mat"]);
  assertClose([sentence.score], [100.00000000000004], 1e-9, "sentence BLEU, empty reference closest");
  assert.equal(sentence.refLen, 0);
  assert.equal(sentenceBleu("the cat", [""]).score, 0);
});

test("an example with no reference at all is a typed error (sacreBLEU cannot score it either)", () => {
  assert.throws(
    () => bleu(["x", "y"], [["x"], []]),
    (e: unknown) => e instanceof EvaluationError && e.code === "EMPTY_REFERENCE" && e.index === 1,
  );
  assert.throws(
    () => sentenceBleu("x", []),
    (e: unknown) => e instanceof EvaluationError && e.code === "EMPTY_REFERENCE",
  );
});

test("bad options raise EvaluationError naming the option", () => {
  for (const [options, argument] of [
    [{ tokenize: "zh" }, "options.tokenize"],
    [{ smoothMethod: "bogus" }, "options.smoothMethod"],
    [{ smoothValue: -1 }, "options.smoothValue"],
    [{ maxNgramOrder: 0 }, "options.maxNgramOrder"],
  ] as const) {
    assert.throws(
      () => bleu(["a"], [["a"]], options as unknown as BleuOptions),
      (e: unknown) => e instanceof EvaluationError && e.code === "INVALID_OPTION" && e.argument === argument,
    );
  }
});
