// Live comparison with the real Python metrics (oracle/metrics_probe.py: rouge-score 0.1.2, sacrebleu 2.6.0) on
// real data beside the repository: the XSum system outputs and gold summaries (../shared/data/xsum-test-predictions)
// and WMT14 newstest2014 (../shared/data/wmt14-newstest2014, references only: hypotheses are the references with
// words dropped and swapped). Every number is compared to 1e-6; counts, lengths and signatures exactly.
// Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { runOracle, sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { bleu, sentenceBleu, type BleuOptions, type BleuResult } from "./bleu.js";
import type { Triple } from "./bootstrap.js";
import { rouge, type RougeAggregate, type RougeScores, type RougeType } from "./rouge.js";

const XSUM = "data/xsum-test-predictions";
const WMT = "data/wmt14-newstest2014";
const SYSTEMS = ["lead", "ext-oracle", "convs2s", "topic-convs2s", "ptgen"] as const;
const LINES = 300;
const WMT_LINES = 1000;
const TOLERANCE = 1e-6;
const TYPES: RougeType[] = ["rouge1", "rouge2", "rougeL", "rougeLsum"];

function readLines(dir: string, file: string, count?: number): string[] {
  const path = sharedPath(dir, file);
  assert.ok(path !== undefined, `${dir}/${file} is missing`);
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return count === undefined ? lines : lines.slice(0, count);
}

/** A deterministic "system output" made from a reference: words dropped, neighbours swapped, case changed. */
function degrade(reference: string, line: number): string {
  const words = reference.split(" ").filter((_, i) => (i + line) % 5 !== 2);
  if (line % 3 === 0 && words.length > 3) [words[1], words[2]] = [words[2] as string, words[1] as string];
  if (line % 7 === 0 && words.length > 0) words[0] = (words[0] as string).toLowerCase();
  return words.join(" ");
}

// ---- request -------------------------------------------------------------------------------------------------

interface RougeCase {
  name: string;
  predictions: string[];
  references: (string | string[])[];
  rouge_types: RougeType[];
  use_stemmer: boolean;
  bootstrap: { n_samples: number; confidence_interval: number; seed: number } | null;
}

interface BleuCase {
  name: string;
  hypotheses: string[];
  references: string[][];
  kwargs: Record<string, string | boolean | number>;
  sentence: boolean;
}

type Triple3 = [number, number, number];
interface RougeAnswer {
  name: string;
  per_example: Record<string, Triple3>[];
  aggregate?: Record<string, { low: Triple3; mid: Triple3; high: Triple3 }>;
  aggregate_numpy?: Record<string, { low: Triple3; mid: Triple3; high: Triple3 }>;
}
interface BleuFields {
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
}
interface BleuAnswer extends Partial<BleuFields> {
  name: string;
  signature?: string;
  sentences?: BleuFields[];
  error?: string;
}

function buildRequest(): { rouge: RougeCase[]; bleu: BleuCase[] } {
  const gold = readLines(XSUM, "gold-test-sentences.txt", LINES);
  const outputs = Object.fromEntries(SYSTEMS.map((s) => [s, readLines(XSUM, `${s}-test-output.txt`, LINES)]));
  const en = readLines(WMT, "newstest2014.full.en", WMT_LINES);
  const de = readLines(WMT, "newstest2014.full.de", WMT_LINES);
  const enHyp = en.map(degrade);
  const deHyp = de.map(degrade);

  const rougeCases: RougeCase[] = [];
  for (const system of SYSTEMS) {
    for (const stem of [false, true]) {
      // The default 1000 resamples once (resampling in pure Python is slow); 100 for the rest.
      const nSamples = system === "convs2s" && !stem ? 1000 : 100;
      rougeCases.push({
        name: `xsum ${system} stem=${stem}`,
        predictions: outputs[system] as string[],
        references: gold,
        rouge_types: TYPES,
        use_stemmer: stem,
        bootstrap: { n_samples: nSamples, confidence_interval: 0.95, seed: stem ? 7 : 0 },
      });
    }
  }
  // rougeLsum on real multi-sentence texts: three consecutive lines as one newline-separated summary.
  const groups = (lines: readonly string[]): string[] =>
    Array.from({ length: Math.floor(lines.length / 3) }, (_, i) => lines.slice(3 * i, 3 * i + 3).join("\n"));
  for (const stem of [false, true]) {
    rougeCases.push({
      name: `xsum 3-sentence summaries lead vs gold stem=${stem}`,
      predictions: groups(outputs.lead as string[]),
      references: groups(gold),
      rouge_types: ["rougeLsum", "rougeL", "rouge2"],
      use_stemmer: stem,
      bootstrap: { n_samples: 100, confidence_interval: 0.9, seed: 3 },
    });
  }
  // Several references per prediction (score_multi: per type the best-F reference).
  rougeCases.push({
    name: "xsum convs2s vs [gold, ptgen, lead] stem=true",
    predictions: (outputs.convs2s as string[]).slice(0, 150),
    references: gold
      .slice(0, 150)
      .map((g, i) => [g, (outputs.ptgen as string[])[i] as string, (outputs.lead as string[])[i] as string]),
    rouge_types: TYPES,
    use_stemmer: true,
    bootstrap: null,
  });
  // Untokenized, mixed-case text with digits and punctuation.
  for (const stem of [false, true]) {
    rougeCases.push({
      name: `wmt14 en degraded vs en stem=${stem}`,
      predictions: enHyp.slice(0, 400),
      references: en.slice(0, 400),
      rouge_types: TYPES,
      use_stemmer: stem,
      bootstrap: null,
    });
  }
  rougeCases.push({
    name: "wmt14 de degraded vs de (non-ASCII letters) stem=true",
    predictions: deHyp.slice(0, 300),
    references: de.slice(0, 300),
    rouge_types: TYPES,
    use_stemmer: true,
    bootstrap: null,
  });

  const bleuCases: BleuCase[] = [];
  const variants: [string, Record<string, string | boolean>][] = [
    ["default", {}],
    ["tokenize=13a", { tokenize: "13a" }],
    ["tokenize=intl", { tokenize: "intl" }],
    ["tokenize=none", { tokenize: "none" }],
    ["lowercase", { lowercase: true }],
  ];
  const corpora: [string, string[], string[][]][] = [
    ...SYSTEMS.map((s): [string, string[], string[][]] => [`xsum ${s}`, outputs[s] as string[], gold.map((g) => [g])]),
    ["wmt14 en", enHyp, en.map((r) => [r])],
    ["wmt14 de", deHyp, de.map((r) => [r])],
    // Two references where the en side has them: the original and a second degraded copy.
    ["wmt14 en 2 refs", enHyp, en.map((r, i) => [r, degrade(r, i + 1)])],
  ];
  for (const [corpus, hypotheses, references] of corpora) {
    for (const [variant, kwargs] of variants) {
      bleuCases.push({ name: `${corpus} corpus_bleu ${variant}`, hypotheses, references, kwargs, sentence: false });
    }
  }
  for (const [variant, kwargs] of [
    ["tokenize=char", { tokenize: "char" }],
    ["smooth=floor", { smooth_method: "floor" }],
    ["smooth=add-k", { smooth_method: "add-k" }],
    ["smooth=none", { smooth_method: "none" }],
    ["intl+lowercase effective order", { tokenize: "intl", lowercase: true, use_effective_order: true }],
  ] as [string, Record<string, string | boolean>][]) {
    bleuCases.push({
      name: `wmt14 de corpus_bleu ${variant}`,
      hypotheses: deHyp,
      references: de.map((r) => [r]),
      kwargs,
      sentence: false,
    });
  }
  // Variable reference counts (sacreBLEU: None in the shorter streams).
  bleuCases.push({
    name: "wmt14 en corpus_bleu variable reference counts",
    hypotheses: enHyp.slice(0, 500),
    references: en.slice(0, 500).map((r, i) => (i % 2 === 0 ? [r] : [r, degrade(r, i + 2)])),
    kwargs: {},
    sentence: false,
  });
  // sentence_bleu (effective order on, as sacrebleu.sentence_bleu).
  const sentenceSets: [string, string[], string[][]][] = [
    ["xsum convs2s", (outputs.convs2s as string[]).slice(0, 200), gold.slice(0, 200).map((g) => [g])],
    ["wmt14 en", enHyp.slice(0, 200), en.slice(0, 200).map((r, i) => [r, degrade(r, i + 3)])],
    ["wmt14 de", deHyp.slice(0, 200), de.slice(0, 200).map((r) => [r])],
  ];
  for (const [set, hypotheses, references] of sentenceSets) {
    for (const [variant, kwargs] of [
      ["default", {}],
      ["tokenize=intl", { tokenize: "intl" }],
      ["smooth=floor", { smooth_method: "floor" }],
      ["smooth=add-k", { smooth_method: "add-k" }],
      ["smooth=none no effective order", { smooth_method: "none", use_effective_order: false }],
    ] as [string, Record<string, string | boolean>][]) {
      bleuCases.push({ name: `${set} sentence_bleu ${variant}`, hypotheses, references, kwargs, sentence: true });
    }
  }
  // Empty-string references: sacreBLEU keeps them (a reference of length 0) and scores the corpus.
  const small = enHyp.slice(0, 50);
  bleuCases.push(
    {
      name: "empty reference: one example's only reference is ''",
      hypotheses: small,
      references: en.slice(0, 50).map((r, i) => [i === 7 ? "" : r]),
      kwargs: {},
      sentence: false,
    },
    {
      name: "empty reference: '' beside a real one",
      hypotheses: small,
      references: en.slice(0, 50).map((r, i) => (i % 4 === 0 ? [r, ""] : [r])),
      kwargs: {},
      sentence: false,
    },
    {
      name: "empty reference: every reference ''",
      hypotheses: small,
      references: small.map(() => [""]),
      kwargs: {},
      sentence: false,
    },
    {
      name: "empty reference: empty hypothesis and reference",
      hypotheses: ["", "the cat"],
      references: [[""], ["the cat sat"]],
      kwargs: {},
      sentence: false,
    },
    {
      name: "empty reference: sentence_bleu against ''",
      hypotheses: small.slice(0, 10),
      references: small.slice(0, 10).map((h, i) => (i % 2 === 0 ? [""] : ["", h])),
      kwargs: {},
      sentence: true,
    },
  );
  return { rouge: rougeCases, bleu: bleuCases };
}

// ---- options ---------------------------------------------------------------------------------------------------

function bleuOptions(kwargs: Record<string, string | boolean | number>): BleuOptions {
  const options: BleuOptions = {};
  for (const [key, value] of Object.entries(kwargs)) {
    if (key === "tokenize") options.tokenize = value as BleuOptions["tokenize"];
    else if (key === "smooth_method") options.smoothMethod = value as BleuOptions["smoothMethod"];
    else if (key === "smooth_value") options.smoothValue = value as number;
    else if (key === "lowercase") options.lowercase = value as boolean;
    else if (key === "use_effective_order") options.effectiveOrder = value as boolean;
    else throw new Error(`no BleuOptions for sacreBLEU keyword ${key}`);
  }
  return options;
}

// ---- comparison ------------------------------------------------------------------------------------------------

/** Largest absolute difference seen per metric family, printed at the end; every mismatch is collected. */
const worst = new Map<string, number>();
const failures: string[] = [];
function note(family: string, actual: number, expected: number, what: string): void {
  const diff = Math.abs(actual - expected);
  worst.set(family, Math.max(worst.get(family) ?? 0, Number.isNaN(diff) ? Infinity : diff));
  if (!(diff <= TOLERANCE)) failures.push(`${what}: ${actual} vs Python ${expected} (difference ${diff})`);
}
function same(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    failures.push(`${what}: ${JSON.stringify(actual)} vs Python ${JSON.stringify(expected)}`);
  }
}
function noteTriple(family: string, actual: Triple, expected: Triple3, what: string): void {
  note(family, actual.precision, expected[0], `${what} precision`);
  note(family, actual.recall, expected[1], `${what} recall`);
  note(family, actual.fmeasure, expected[2], `${what} fmeasure`);
}

function compareBleu(family: string, ours: BleuResult, theirs: BleuFields, what: string): void {
  note(family, ours.score, theirs.score, `${what} score`);
  note(family, ours.bp, theirs.bp, `${what} bp`);
  ours.precisions.forEach((p, n) => note(family, p, theirs.precisions[n] as number, `${what} precision ${n + 1}`));
  same(ours.counts, theirs.counts, `${what} counts`);
  same(ours.totals, theirs.totals, `${what} totals`);
  same(ours.sysLen, theirs.sys_len, `${what} sys_len`);
  same(ours.refLen, theirs.ref_len, `${what} ref_len`);
}

// ---- the test --------------------------------------------------------------------------------------------------

const skip = sharedSkipReason(XSUM) || sharedSkipReason(WMT);

test("ROUGE and BLEU agree with rouge-score 0.1.2 and sacrebleu 2.6.0 on XSum and WMT14 to 1e-6", { skip }, () => {
  const request = buildRequest();
  const answer = runOracle<{ versions: Record<string, string>; rouge: RougeAnswer[]; bleu: BleuAnswer[] }>(
    "v5",
    "metrics_probe.py",
    request,
  );
  assert.equal(answer.versions.sacrebleu, "2.6.0");

  // ROUGE: per-example scores, then the aggregate the package reports (the bootstrap's low / mid / high).
  let bootstrapGap = 0;
  request.rouge.forEach((c, k) => {
    const expected = answer.rouge[k] as RougeAnswer;
    assert.equal(expected.name, c.name);
    const options = { rougeTypes: c.rouge_types, useStemmer: c.use_stemmer };
    const perExample: RougeScores[] = rouge(c.predictions, c.references, { ...options, useAggregator: false });
    perExample.forEach((scores, i) => {
      for (const type of c.rouge_types) {
        noteTriple(
          "rouge per-example",
          scores[type] as Triple,
          expected.per_example[i]?.[type] as Triple3,
          `${c.name} #${i} ${type}`,
        );
      }
    });
    if (c.bootstrap !== null) {
      const aggregate: RougeAggregate = rouge(c.predictions, c.references, {
        ...options,
        nSamples: c.bootstrap.n_samples,
        confidenceInterval: c.bootstrap.confidence_interval,
        seed: c.bootstrap.seed,
      });
      for (const type of c.rouge_types) {
        for (const bound of ["low", "mid", "high"] as const) {
          const ours = aggregate[type]?.[bound] as Triple;
          noteTriple(
            "rouge aggregate",
            ours,
            expected.aggregate?.[type]?.[bound] as Triple3,
            `${c.name} ${type} ${bound}`,
          );
          // With numpy's own (seeded) generator only the bootstrap noise separates the two.
          const numpy = expected.aggregate_numpy?.[type]?.[bound] as Triple3;
          bootstrapGap = Math.max(bootstrapGap, Math.abs(ours.fmeasure - numpy[2]));
        }
      }
    }
  });

  // BLEU.
  request.bleu.forEach((c, k) => {
    const expected = answer.bleu[k] as BleuAnswer;
    assert.equal(expected.name, c.name);
    if (expected.error !== undefined) {
      failures.push(`sacreBLEU raised on ${c.name}: ${expected.error}`);
      return;
    }
    const options = bleuOptions(c.kwargs);
    try {
      if (c.sentence) {
        c.hypotheses.forEach((h, i) => {
          const ours = sentenceBleu(h, c.references[i] as string[], options);
          compareBleu("sentence_bleu", ours, expected.sentences?.[i] as BleuFields, `${c.name} #${i}`);
        });
      } else {
        const ours = bleu(c.hypotheses, c.references, options);
        compareBleu("corpus_bleu", ours, expected as BleuFields, c.name);
        same(ours.signature, expected.signature, `${c.name} signature`);
      }
    } catch (error) {
      failures.push(`${c.name}: the package threw where sacreBLEU scored: ${String(error)}`);
    }
  });

  console.log(
    `live metrics: ${request.rouge.length} ROUGE cases, ${request.bleu.length} BLEU cases; max |difference|: ` +
      [...worst].map(([family, d]) => `${family} ${d.toExponential(2)}`).join(", ") +
      `; bootstrap mid/low/high F vs numpy's generator ${bootstrapGap.toExponential(2)}`,
  );
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} differences from Python`);
  assert.ok(bootstrapGap < 0.02, `bootstrap with numpy's generator differs by ${bootstrapGap}`);
});
