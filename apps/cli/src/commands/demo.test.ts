import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundledCheckpoints } from "../demo/checkpoints.js";
import { serveDemoHub } from "../test-support/demo-hub.js";
import { runCli } from "../test-support/run-cli.js";

const EVERY = ["Rnd2Rnd", "Rnd2BERT", "BERT2Rnd", "BERT2BERT", "BERTShare", "RoBERTaShare", "BERT2GPT2", "Rnd2GPT2"];
// The compositions the bundled checkpoints allow (RoBERTaShare needs checkpoints/roberta, *2GPT2 checkpoints/gpt2).
const bundled = bundledCheckpoints();
const ALL = EVERY.filter(
  (name) => (name !== "RoBERTaShare" || bundled.roberta !== null) && (!name.endsWith("GPT2") || bundled.gpt2 !== null),
);
const METRICS = ["sari", "exact_match", "bleu", "rouge2"] as const;
// The CI budget: 2 fine-tuning steps, 60 corpus documents, 16 training and 3 scored test examples.
const TINY = ["--steps", "2", "--documents", "60", "--train-examples", "16", "--test-examples", "3"];

interface Interval {
  score: number;
  low: number;
  high: number;
}
interface DemoJson {
  compositions: {
    name: string;
    scores: Record<(typeof METRICS)[number], Interval>;
    predictions: string[];
    validationLoss: { step: number; loss: number }[];
    parameters: { total: number; leveraged: number; random: number; tied: number };
  }[];
  baseline: { name: string; scores: Record<(typeof METRICS)[number], Interval> };
  checkpoints: { origin: string; pretraining: { model: string; steps: number }[] };
  data: { scored: number };
  files: string[];
}

function checkIntervals(scores: Record<string, Interval>, who: string): void {
  for (const metric of METRICS) {
    const s = scores[metric];
    assert.ok(s !== undefined, `${who}: ${metric}`);
    assert.ok(
      s.low <= s.score && s.score <= s.high && s.low >= 0 && s.high <= 100,
      `${who} ${metric} ${JSON.stringify(s)}`,
    );
  }
}

// Acceptance 1 at a CI budget: the README's first command, end to end through the binary, warm-started from the
// checkpoints bundled in apps/cli/checkpoints.
test("demo (full budget) warm-starts every composition the bundled checkpoints allow and saves the table (JSON, Markdown) and chart", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = await runCli(["demo", ...TINY, "--out", out, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as DemoJson;
  assert.deepEqual(
    result.compositions.map((c) => c.name),
    ALL,
  );
  assert.equal(result.data.scored, 3);
  assert.match(result.checkpoints.origin, /bundled with warmstart/);
  assert.deepEqual(
    result.checkpoints.pretraining.map((p) => p.model).sort(),
    (["bert", "gpt2", "roberta"] as const).filter((name) => bundled[name] !== null),
  );
  const byName = new Map(result.compositions.map((c) => [c.name, c]));
  assert.equal(byName.get("Rnd2Rnd")?.parameters.leveraged, 0);
  assert.ok((byName.get("BERT2BERT")?.parameters.leveraged ?? 0) > (byName.get("BERT2Rnd")?.parameters.leveraged ?? 0));
  assert.ok((byName.get("BERTShare")?.parameters.tied ?? 0) > 0);
  assert.ok((byName.get("BERTShare")?.parameters.total ?? 0) < (byName.get("BERT2BERT")?.parameters.total ?? 0));
  for (const c of result.compositions) {
    checkIntervals(c.scores, c.name);
    assert.equal(c.predictions.length, 3);
    assert.ok(c.validationLoss.length > 0 && c.validationLoss.every((p) => Number.isFinite(p.loss)), c.name);
  }
  // Copying the input keeps every word: high SARI and BLEU, and never an exact match of a fused / split target.
  assert.equal(result.baseline.name, "copy the input");
  checkIntervals(result.baseline.scores, "copy");
  assert.equal(result.baseline.scores.exact_match.score, 0);
  assert.ok(result.baseline.scores.bleu.score > 50);
  const markdown = readFileSync(join(out, "results.md"), "utf8");
  assert.match(
    markdown,
    /\| model \| random \| leveraged \| total \| SARI \| exact match \| BLEU \| ROUGE-2 \| train loss \|/,
  );
  assert.match(markdown, /\| copy the input \| - \| - \| - \| \d+\.\d \[\d+\.\d, \d+\.\d\]/);
  for (const name of ALL) assert.match(markdown, new RegExp(`\\| ${name} \\|`));
  assert.match(markdown, /## Examples[\s\S]*- reference: /);
  assert.doesNotMatch(markdown, /^- \w+: $/m, "an empty output is named, not a blank");
  const svg = readFileSync(join(out, "chart.svg"), "utf8");
  assert.match(svg, /^<svg/);
  for (const name of ALL) assert.ok(svg.includes(name), `${name} in the chart`);
  assert.ok(result.files.includes(join(out, "chart.svg")));
  assert.match(run.stderr, /expected about \d/);
  for (const name of ALL) assert.ok(existsSync(join(out, "models", name, "model.safetensors")), `${name} saved`);
});

test("demo --compositions runs only the named compositions, with --lr as the learning rate of each", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = await runCli([
    "demo",
    "--quick",
    "--compositions",
    "Rnd2Rnd,BERT2BERT",
    "--lr",
    "0.001",
    ...TINY,
    "--out",
    out,
    "--json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as DemoJson & {
    settings: { fineTuneLearningRate: number; fineTuneSteps: number };
  };
  assert.equal(result.settings.fineTuneLearningRate, 0.001, "--lr reaches the fine-tuning");
  assert.equal(result.settings.fineTuneSteps, 2);
  const logged = readFileSync(join(out, "models", "BERT2BERT", "training_log.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.includes('"learning_rate"'))
    .map((line) => (JSON.parse(line) as { learning_rate: number }).learning_rate);
  assert.ok(logged.length > 0 && logged.every((lr) => lr > 0 && lr <= 0.001), `logged rates ${logged.join(", ")}`);
  assert.deepEqual(
    result.compositions.map((c) => c.name),
    ["Rnd2Rnd", "BERT2BERT"],
  );
  assert.ok(!existsSync(join(out, "models", "BERT2GPT2")));
});

// Acceptance 3: `--from-hub` end to end against the loopback hub serving Google's BERT miniatures and DistilGPT2 in
// their repositories' exact layouts (tiny random weights).
test("demo --from-hub warm-starts from the Hub's BERT miniature and DistilGPT2", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-hub-"));
  const demoHub = await serveDemoHub();
  t.after(async () => {
    rmSync(out, { recursive: true, force: true });
    await demoHub.close();
  });
  const args = ["demo", "--from-hub", "--hub-bert", "tiny", ...TINY, "--out", out, "--json"];
  const run = await runCli(args, { env: demoHub.env });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as DemoJson;
  // No RoBERTa miniature is named: every other composition runs.
  assert.deepEqual(
    result.compositions.map((c) => c.name),
    EVERY.filter((name) => name !== "RoBERTaShare"),
  );
  assert.match(result.checkpoints.origin, /google\/bert_uncased_L-2_H-128_A-2@\w+, distilbert\/distilgpt2@\w+/);
  for (const c of result.compositions) checkIntervals(c.scores, c.name);
  const requested = demoHub.hub.requests.map((r) => r.url);
  assert.ok(requested.some((p) => p.includes("bert_uncased_L-2_H-128_A-2") && p.endsWith("pytorch_model.bin")));
  assert.ok(!requested.some((p) => /\.(h5|msgpack)$/.test(p)), "no TensorFlow or Flax weights fetched");
});

test("demo --quick runs the paper's central four; it rejects unknown compositions and Hub choices without --from-hub", async () => {
  const unknown = await runCli(["demo", "--quick", "--compositions", "Rnd2Rnd,BERT2Bert"]);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(
    unknown.stderr,
    /unknown composition "BERT2Bert"; use a comma-separated list of Rnd2Rnd, Rnd2BERT, BERT2Rnd/,
  );
  assert.doesNotMatch(unknown.stderr, /\n\s+at /, "no stack trace");
  const hubChoice = await runCli(["demo", "--quick", "--hub-bert", "tiny"]);
  const out = mkdtempSync(join(tmpdir(), "warmstart-demo-quick-"));
  try {
    const quick = await runCli(["demo", "--quick", ...TINY, "--out", out, "--json"]);
    assert.equal(quick.code, 0, quick.stderr);
    assert.deepEqual(
      (JSON.parse(quick.stdout) as DemoJson).compositions.map((c) => c.name),
      ["Rnd2Rnd", "BERT2Rnd", "BERT2BERT", "BERTShare"],
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.equal(hubChoice.code, 2, hubChoice.stderr);
  assert.match(hubChoice.stderr, /--hub-bert and --hub-gpt2 choose what --from-hub downloads/);
});
