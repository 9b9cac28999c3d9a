import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { EvaluationError } from "./errors.js";
import { normalizeForSari, sari, sariNgram, sariSentenceNormalized } from "./sari.js";

// Published cases (../shared/research/metric_vectors.md section 3):
// - huggingface/evaluate, metrics/sari/sari.py docstring example (the implementation this package follows);
// - tensorflow/tensor2tensor, tensor2tensor/utils/sari_hook_test.py, which Hugging Face's code adapts.
//   Its token ids are written here as space-separated words; its count-level helper cases are expressed
//   through the equivalent reference lists (t2t weights a target n-gram by the share of references holding
//   it, Hugging Face multiplies source and prediction counts by the number of references instead).

const SOURCE = "About 95 species are currently accepted .";
const REFERENCES = [
  "About 95 species are currently known .",
  "About 95 species are now accepted .",
  "95 species are now accepted .",
];

test("Hugging Face sari docstring: paper example = 26.953601953601954", () => {
  const r = sari([SOURCE], ["About 95 you now get in ."], [REFERENCES]);
  assertClose([r.sari], [26.953601953601954], 1e-9, "SARI");
});

test("sari_hook_test testSariSentenceLevel: same example on t2t's 0-1 scale = 0.2695360", () => {
  const s = sariSentenceNormalized(
    normalizeForSari(SOURCE),
    normalizeForSari("About 95 you now get in ."),
    REFERENCES.map(normalizeForSari),
  );
  assertClose([s.score], [0.269536], 1e-6, "sari");
  // Components from running the reference (metric_vectors.md, [computed]).
  assertClose([s.keep, s.deletion, s.addition], [0.2252747, 0.5, 0.0833333], 1e-6, "keep/del/add");
});

test("Hugging Face normalization: lower-case and 13a make '.' attached or detached score the same", () => {
  const a = sari([SOURCE], ["About 95 you now get in."], [REFERENCES]);
  assertClose([a.sari], [26.953601953601954], 1e-9, "attached period");
});

test("sari_hook_test: prediction = source = reference scores 1", () => {
  const src = "3 1 4 1 5 9 2 6 5";
  assertClose([sariSentenceNormalized(src, src, [src]).score], [1], 1e-12, "identity");
});

test("sari_hook_test: prediction equal to the single reference scores 1", () => {
  const s = sariSentenceNormalized("3 1 4 1 5 9 2 6 5", "3 1 4 1 80 70", ["3 1 4 1 80 70"]);
  assertClose([s.score], [1], 1e-12, "matches reference");
});

test("sari_hook_test: unigram-only case (max_gram_size=1) with repeated tokens scores 1", () => {
  const s = sariNgram(["3", "1", "4"], ["3", "3", "1", "1", "1", "4"], [["3", "3", "3", "1", "1", "4", "4"]]);
  assertClose([(s.keep + s.deletion + s.addition) / 3], [1], 1e-12, "sari at n=1");
});

test("sari_hook_test testKeepScore: 6/15 = 0.4", () => {
  // t2t: source {1:1, 2:1}, prediction {2:1}, weighted target {1:1, 2:0.5} = token 1 in both of two
  // references, token 2 in one of them.
  const s = sariNgram(["1", "2"], ["2"], [["1", "2"], ["1"]]);
  assertClose([s.keep], [0.4], 1e-12, "keep");
});

test("sari_hook_test testDeletionScore (beta 0, i.e. precision only): nothing deleted gives 1", () => {
  const s = sariNgram(["1", "2"], ["1", "2"], [["1"]]);
  assert.equal(s.deletion, 1);
});

test("corpus SARI is the mean of sentence scores", () => {
  const one = sari([SOURCE], ["About 95 you now get in ."], [REFERENCES]).sari;
  const perfect = sari([SOURCE], [REFERENCES[1] as string], [[REFERENCES[1] as string]]).sari;
  const both = sari(
    [SOURCE, SOURCE],
    ["About 95 you now get in .", REFERENCES[1] as string],
    [REFERENCES, [REFERENCES[1] as string]],
  );
  assertClose([both.sari], [(one + perfect) / 2], 1e-9, "mean");
});

test("an example without references is a typed error naming it", () => {
  assert.throws(
    () => sari(["a", "b"], ["a", "b"], [["a"], []]),
    (e: unknown) => e instanceof EvaluationError && e.code === "EMPTY_REFERENCE" && e.index === 1,
  );
});
