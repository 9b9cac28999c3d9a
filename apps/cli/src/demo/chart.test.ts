import assert from "node:assert/strict";
import { test } from "node:test";
import { CliError } from "../framework/cli-error.js";
import { renderDemoChart, type ChartComposition, type DemoChartInput } from "./chart.js";

const metrics = [
  { key: "sari", label: "SARI" },
  { key: "exact_match", label: "exact match" },
  { key: "bleu", label: "BLEU" },
  { key: "rouge2", label: "ROUGE-2" },
];

function composition(name: string, offset: number, lossPoints: number): ChartComposition {
  return {
    name,
    validationLoss: Array.from({ length: lossPoints }, (_, i) => ({ step: (i + 1) * 50, loss: 5 / (i + 1) + offset })),
    scores: Object.fromEntries(
      metrics.map((m, k) => [m.key, { score: 30 + offset + k, low: 27 + offset + k, high: 33 + offset + k }]),
    ),
  };
}

// Rnd2GPT2 has no validation loss (bars only) and a SARI no other score shares, to find its label.
const rnd2gpt2Sari = { score: 41.3, low: 38.2, high: 44.9 };
const eight: DemoChartInput = {
  title: "warmstart demo (test)",
  metrics,
  baseline: { name: "copy the input", scores: { sari: 25.5, exact_match: 0, bleu: 60.1, rouge2: 54.2 } },
  compositions: [
    composition("Rnd2Rnd", 0, 6),
    composition("Rnd2BERT", 1, 6),
    composition("BERT2Rnd", 2, 6),
    composition("BERT2BERT", 3, 6),
    composition("BERTShare", 4, 6),
    composition("RoBERTaShare", 5, 6),
    composition("BERT2GPT2", 6, 6),
    { ...composition("Rnd2GPT2", 7, 0), scores: { ...composition("Rnd2GPT2", 7, 0).scores, sari: rnd2gpt2Sari } },
  ],
};

const unescape = (text: string): string =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** The contents of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1] ?? ""));
}

/** Element names of the document, checked for balance: throws on a close tag without its open tag. */
function assertBalancedTags(svg: string): void {
  const open: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing === "/") continue;
    if (closing === "/") assert.equal(open.pop(), name, `</${name}> closes the element open at that point`);
    else open.push(name ?? "");
  }
  assert.deepEqual(open, [], "every element is closed");
}

/** The stroke color of each line mark, keyed by the composition its aria label names. */
function lines(svg: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of svg.matchAll(/<path\b[^>]*aria-roledescription="line mark"[^>]*>/g)) {
    const tag = match[0];
    const name = /composition: ([^"]*)"/.exec(tag)?.[1];
    const stroke = /\bstroke="([^"]*)"/.exec(tag)?.[1];
    assert.ok(name !== undefined && stroke !== undefined, `a line with a composition and a stroke: ${tag}`);
    assert.ok(!found.has(unescape(name)), `one line for ${name}`);
    found.set(unescape(name), stroke);
  }
  return found;
}

test("renderDemoChart draws one SVG document with every composition, metric and the baseline", async () => {
  const svg = await renderDemoChart(eight);
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.endsWith("</svg>"));
  assertBalancedTags(svg);
  const labels = texts(svg);
  for (const c of eight.compositions) assert.ok(labels.includes(c.name), `${c.name} is written in the chart`);
  for (const m of metrics) assert.ok(labels.includes(m.label), `${m.label} titles a panel`);
  assert.ok(labels.includes("warmstart demo (test)"));
  assert.ok(labels.includes("copy the input: 60.1"), "the BLEU panel names the baseline's score");
  assert.ok(labels.includes("validation loss (none recorded for Rnd2GPT2)"));
  assert.equal(labels.filter((t) => t === "41.3").length, 1, "Rnd2GPT2's SARI is written over its bar");
});

test("renderDemoChart draws one line per composition with a loss curve, in its legend color", async () => {
  const svg = await renderDemoChart(eight);
  const drawn = lines(svg);
  assert.deepEqual(
    [...drawn.keys()],
    eight.compositions.filter((c) => c.validationLoss.length > 0).map((c) => c.name),
  );
  assert.equal(new Set(drawn.values()).size, drawn.size, "each composition has its own color");
  // Rnd2GPT2 has no line but still its bars: one rect per metric in its color.
  const rnd2gpt2Bars = [...svg.matchAll(/<path\b[^>]*aria-label="[^"]*composition: Rnd2GPT2[^"]*"[^>]*>/g)].filter(
    (m) => m[0].includes('aria-roledescription="bar"'),
  );
  assert.equal(rnd2gpt2Bars.length, metrics.length);
});

test("renderDemoChart is deterministic: the same input gives the same bytes, other renders in between", async () => {
  const first = await renderDemoChart(eight);
  await renderDemoChart({ ...eight, compositions: eight.compositions.slice(0, 2), title: "other" });
  const again = await renderDemoChart(structuredClone(eight));
  assert.equal(again, first);
});

test("renderDemoChart works with one composition and no baseline", async () => {
  const svg = await renderDemoChart({
    title: "one",
    metrics: [{ key: "sari", label: "SARI" }],
    compositions: [composition("BERTShare", 0, 3)],
  });
  assertBalancedTags(svg);
  assert.deepEqual([...lines(svg).keys()], ["BERTShare"]);
  assert.ok(texts(svg).includes("SARI"));
  assert.ok(!svg.includes("copy the input"));
});

test("renderDemoChart escapes names that are markup", async () => {
  const svg = await renderDemoChart({
    title: "a <b> & c",
    metrics: [{ key: "sari", label: "SARI" }],
    compositions: [composition("BERT<2>&GPT2", 0, 2)],
  });
  assertBalancedTags(svg);
  assert.ok(texts(svg).includes("BERT<2>&GPT2"));
  assert.ok(texts(svg).includes("a <b> & c"));
});

async function rejection(input: DemoChartInput): Promise<CliError> {
  try {
    await renderDemoChart(input);
  } catch (error) {
    assert.ok(error instanceof CliError, `a CliError, got ${String(error)}`);
    return error;
  }
  assert.fail("renderDemoChart accepted the input");
}

test("renderDemoChart rejects an empty composition list with a typed error", async () => {
  const error = await rejection({ ...eight, compositions: [] });
  assert.equal(error.code, "BAD_INPUT");
  assert.match(error.message, /compositions is empty/);
});

test("renderDemoChart rejects bad values naming the field", async () => {
  const nan = composition("BERT2BERT", 0, 2);
  nan.validationLoss[1] = { step: 100, loss: Number.NaN };
  assert.match(
    (await rejection({ ...eight, compositions: [nan] })).message,
    /compositions\[0\]\.validationLoss\[1\]\.loss/,
  );

  const outside = composition("BERT2BERT", 0, 2);
  outside.scores.sari = { score: 50, low: 40, high: 45 };
  assert.match((await rejection({ ...eight, compositions: [outside] })).message, /compositions\[0\]\.scores\.sari/);

  const twice = [composition("BERT2BERT", 0, 2), composition("BERT2BERT", 1, 2)];
  assert.match((await rejection({ ...eight, compositions: twice })).message, /compositions\[1\]\.name must be unique/);

  assert.match((await rejection({ ...eight, metrics: [] })).message, /metrics is empty/);
  assert.match(
    (await rejection({ ...eight, baseline: { name: "copy", scores: { sari: Number.POSITIVE_INFINITY } } })).message,
    /baseline\.scores\.sari/,
  );
});
