// Acceptance 5 of issue 20: a README or docs page that quotes a figure absent from the committed results
// files fails here. The rules are in figures.ts; the convention in benchmarks/README.md ("Quoting a figure").
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkPage, checkResultsFile, figurePages, loadResults, type ResultsFile } from "./figures.js";
import { ALLOWED_FIGURES } from "./figures-allowed.js";
import { runProvenance } from "@warmstart/test-utils";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

test("every figure in the READMEs and docs pages is referenced and equals its results file", () => {
  const results = loadResults(repo);
  const problems = figurePages(repo).flatMap((file) =>
    checkPage(file, readFileSync(join(repo, file), "utf8"), { allowed: ALLOWED_FIGURES, results }),
  );
  assert.deepEqual(
    problems.map((p) => p.message),
    [],
  );
});

test("every allow-list entry still names a page and a text on it, with a reason", () => {
  for (const entry of ALLOWED_FIGURES) {
    const page = readFileSync(join(repo, entry.file), "utf8");
    const text = entry.figure ?? entry.lineContains;
    assert.ok(entry.reason.length > 0, `${entry.file}: allow-list entry without a reason`);
    if (text !== undefined) {
      assert.ok(page.includes(text), `${entry.file} no longer holds '${text}': remove it from figures-allowed.ts`);
    } else assert.equal(entry.wholeFile, true, `${entry.file}: an entry names a figure, a line or the whole file`);
  }
});

test("every results file says the commit, machine, load and date it was measured at", () => {
  const problems = [...loadResults(repo)].flatMap(([file, { data }]) => checkResultsFile(file, data));
  assert.deepEqual(
    problems.map((p) => p.message),
    [],
  );
});

// The checker itself, on small pages and results files, so each rule is shown to fail when it should.
const engine: ResultsFile = {
  stale: false,
  data: { rows: [{ id: "encoder-128", warmstart: 31.276, ratio_vs_pytorch: 0.19244 }], share: 0.683 },
};
const results = new Map<string, ResultsFile>([
  ["benchmarks/results/engine.json", engine],
  ["benchmarks/results/old.json", { stale: true, data: { seconds: 16.9005 } }],
]);
const check = (markdown: string, allowed = [] as Parameters<typeof checkPage>[2]["allowed"]) =>
  checkPage("README.md", markdown, { allowed, results }).map((p) => p.message);
const ref = (path: string, file = "engine.json") => `<!-- figure: benchmarks/results/${file} ${path} -->`;

test("a new figure without a reference fails, and the message says how to reference it", () => {
  for (const figure of [
    "399 tokens/s",
    "0.66x PyTorch",
    "17 GFLOP/s",
    "126 ms per token",
    "1.35 s per step",
    "52 minutes",
    "SARI 36.5",
    "ROUGE-2 49-59",
    "BERTShare (36.5)",
    "3 GB of memory",
  ]) {
    const problems = check(`It runs at ${figure} here.`);
    assert.ok(problems.length > 0, `'${figure}' passed without a reference`);
    assert.match(
      problems[0] as string,
      /README\.md:1: .* no figure reference: put `<!-- figure: benchmarks\/results\/<file>\.json <json\.path> -->`/,
    );
  }
  // Both ends of a range are figures.
  assert.equal(check("SARI 27-36 in two runs").length, 2);
});

test("a table cell under a unit column is a figure; labels, versions, config sizes and code are not", () => {
  const table = "| work | tokens/s |\n| --- | ---: |\n| encoder b8 s128 | 399 |\n";
  assert.equal(check(table).length, 1);
  assert.deepEqual(
    check(`| work | tokens/s |\n| --- | ---: |\n| encoder b8 s128 | 31 ${ref("rows[id=encoder-128].warmstart")} |\n`),
    [],
  );
  assert.deepEqual(
    check("sgemm 512x768x3072 on BERT2BERT with ROUGE-2, transformers 4.57, `--steps 500 s`, batch 8"),
    [],
  );
  assert.deepEqual(check("```\nruns at 399 tokens/s\n```\n"), []);
});

test("a reference must match the value rounded as printed, in the file and path it names", () => {
  assert.deepEqual(
    check(`31 tokens/s ${ref("rows[id=encoder-128].warmstart")} (0.19x ${ref("rows[0].ratio_vs_pytorch")})`),
    [],
  );
  assert.deepEqual(check(`31.3 tokens/s ${ref("rows[id=encoder-128].warmstart")}`), []);
  assert.deepEqual(check(`68% ${ref("share *100")} of the time`), []);
  assert.match(
    check(`399 tokens/s ${ref("rows[id=encoder-128].warmstart")}`)[0] as string,
    /prints 399 but .*engine\.json rows\[id=encoder-128\]\.warmstart is 31\.276/,
  );
  assert.match(check(`31.2 tokens/s ${ref("rows[id=encoder-128].warmstart")}`)[0] as string, /prints 31\.2/);
  assert.match(
    check(`31 tokens/s ${ref("rows[id=encoder-512].warmstart")}`)[0] as string,
    /has no value at '\[id=encoder-512\]'/,
  );
  assert.match(check(`31 tokens/s ${ref("rows", "missing.json")}`)[0] as string, /not a committed results file/);
  assert.match(check(`31 tokens/s ${ref("rows")}`)[0] as string, /not a number/);
});

test("a figure from a stale results file must say 'stale' on its line", () => {
  assert.match(check(`16.9 s ${ref("seconds", "old.json")} for 4 tokens`)[0] as string, /marked stale there/);
  assert.deepEqual(check(`16.9 s ${ref("seconds", "old.json")} for 4 tokens (stale)`), []);
});

test("the allow-list admits only what it names", () => {
  const allowed = [{ file: "README.md", figure: "9 minutes", reason: "a target" }];
  assert.deepEqual(check("in under 9 minutes", allowed), []);
  assert.equal(check("in under 9 minutes, 52 minutes measured", allowed).length, 1);
  assert.equal(check("in 19 minutes", allowed).length, 1);
  // Settings and limits introduced as such need no entry; the same number stated as a result does.
  assert.deepEqual(
    check("1 and 16 clients (`--duration`/3 s each), `--duration` default 60 s, RSS every 250 ms, up to 16 s"),
    [],
  );
  assert.equal(check("the run took 60 s").length, 1);
  assert.equal(checkPage("other.md", "in under 9 minutes", { allowed, results }).length, 1);
});

test("a results file without commit, machine, load or date fails, naming the field", () => {
  const good = {
    provenance: {
      commit: "641bbf3632af37e6ade9417d817ba5f7b1126574",
      commitSource: "recorded by the run",
      date: "2026-11-26T02:05:17.977Z",
      machine: { cpuModel: "Intel(R) Xeon(R) Processor @ 2.80GHz", cores: 2 },
      loadavg: [0.2, 0.1, 0.1],
    },
  };
  assert.deepEqual(checkResultsFile("a.json", good), []);
  assert.deepEqual(checkResultsFile("a.json", { ...good, provenance: { ...good.provenance, loadavg: "unknown" } }), []);
  assert.match(checkResultsFile("a.json", { rows: [] })[0]?.message ?? "", /a\.json: expected a "provenance" object/);
  for (const [field, value, message] of [
    ["commit", "HEAD", /provenance\.commit/],
    ["date", "yesterday", /provenance\.date/],
    ["machine", { cpuModel: "x" }, /provenance\.machine\.cores/],
    ["loadavg", [1], /provenance\.loadavg/],
  ] as const) {
    const problems = checkResultsFile("a.json", { provenance: { ...good.provenance, [field]: value } });
    assert.match(problems.map((p) => p.message).join("\n"), message);
  }
  assert.match(checkResultsFile("a.json", { ...good, stale: true })[0]?.message ?? "", /staleReason/);
});

test("what the benchmark scripts record (runProvenance of @warmstart/test-utils) is what this check asks for", () => {
  const provenance = runProvenance(loadavg(), new Date().toISOString(), repo);
  assert.match(provenance.commit, /^[0-9a-f]{40}$/);
  assert.deepEqual(checkResultsFile("run.json", { provenance }), []);
});
