// Runs every file in examples/ — the code the site shows — against the tiny parity checkpoints.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { generateText } from "@warmstart/composer";
import { AutoTokenizer } from "@warmstart/tokenizers";
import { bert2gpt2 } from "../examples/bert2gpt2.js";
import {
  CNN_DAILYMAIL,
  evaluateRouge2,
  prepareBatch,
  train,
  warmStartBert2Bert,
  type Settings,
} from "../examples/cnn-dailymail.js";
import { bertShareAccounting } from "../examples/compositions.js";
import { customProcessors } from "../examples/custom-processors.js";
import { quickstart } from "../examples/quickstart.js";
import { robertaShare } from "../examples/roberta-share.js";
import { serveAndAsk } from "../examples/serving.js";
import {
  labelShifting,
  labelsArePadded,
  missingStartToken,
  randomCrossAttention,
  tyingLimits,
} from "../examples/troubleshooting.js";
import { articlePairs, checkpointWithTokenizer, NEEDS } from "./test-support/checkpoints.js";

const skip = NEEDS.map((p) => sharedSkipReason(p)).find((r) => r !== false) ?? false;

// The fixtures have 64 positions; lengths and beam limits shrink accordingly, everything else is the blog's.
const TINY: Settings = {
  maxSourceLength: 48,
  maxTargetLength: 32,
  generation: { ...CNN_DAILYMAIL.generation, maxLength: 20, minLength: 6 },
};

before(async () => {
  await initBackend();
});

const first = (xs: number[]): number => xs[0] ?? Number.NaN;
const last = (xs: number[]): number => xs.at(-1) ?? Number.NaN;

test("quickstart: warm-start, fine-tune, generate", { skip }, async () => {
  const dir = await checkpointWithTokenizer("bert");
  const { articles, highlights } = articlePairs(4);
  const result = await quickstart(
    dir,
    articles.map((a) => a.slice(0, 200)),
    highlights,
    30,
  );
  assert.equal(result.losses.length, 30);
  assert.ok(result.losses.every(Number.isFinite));
  assert.ok(
    last(result.losses) < first(result.losses) * 0.8,
    `loss should fall on 4 pairs: ${first(result.losses)} → ${last(result.losses)}`,
  );
  assert.equal(result.outputs.length, 4);
  assert.ok(result.outputs.every((o) => typeof o === "string"));
});

test("CNN/DailyMail settings are the blog's", () => {
  assert.deepEqual(CNN_DAILYMAIL, {
    maxSourceLength: 512,
    maxTargetLength: 128,
    generation: {
      numBeams: 4,
      maxLength: 142,
      minLength: 56,
      noRepeatNgramSize: 3,
      lengthPenalty: 2,
      earlyStopping: true,
    },
  });
});

test("CNN/DailyMail walkthrough: prepare, warm-start, train, ROUGE-2", { skip }, async () => {
  const dir = await checkpointWithTokenizer("bert");
  const tokenizer = await AutoTokenizer.fromPretrained(dir);
  const { articles, highlights } = articlePairs(4);
  const batch = await prepareBatch(tokenizer, articles, highlights, TINY);
  assert.equal(batch.inputIds[0]?.length, 48, "articles padded/truncated to maxSourceLength");
  assert.equal(batch.labels[0]?.length, 32, "labels padded to maxTargetLength");
  assert.ok(
    batch.labels.some((row) => row.includes(-100)),
    "padding in labels is -100",
  );
  assert.equal(labelsArePadded(batch.labels, tokenizer.padTokenId ?? 0), false);

  const model = await warmStartBert2Bert(dir, tokenizer);
  assert.equal(model.config.decoderStartTokenId, tokenizer.clsTokenId);
  assert.equal(model.config.eosTokenId, tokenizer.sepTokenId);
  const losses = await train(model, [batch], { epochs: 15, learningRate: 1e-3 });
  assert.ok(last(losses) < first(losses), `loss falls: ${first(losses)} → ${last(losses)}`);
  const { summaries, rouge2 } = await evaluateRouge2(model, tokenizer, articles, highlights, TINY);
  assert.equal(summaries.length, 4);
  assert.ok(rouge2 >= 0 && rouge2 <= 1, `ROUGE-2 is an F-measure: ${rouge2}`);
  model.dispose();
});

test("BERT2GPT2: two tokenizers, GPT-2 special tokens", { skip }, async () => {
  const bertDir = await checkpointWithTokenizer("bert");
  const gpt2Dir = await checkpointWithTokenizer("gpt2");
  const { articles, highlights } = articlePairs(3);
  const { model, losses, summaries, gpt2 } = await bert2gpt2(bertDir, gpt2Dir, articles, highlights, {
    maxSourceLength: 48,
    maxTargetLength: 16,
  });
  assert.equal(model.config.decoderStartTokenId, gpt2.bosTokenId);
  assert.equal(model.config.padTokenId, gpt2.eosTokenId);
  assert.ok(last(losses) < first(losses), `loss falls: ${first(losses)} → ${last(losses)}`);
  assert.equal(summaries.length, 3);
  model.dispose();
});

test("RoBERTaShare: tied encoder and decoder", { skip }, async () => {
  const dir = await checkpointWithTokenizer("roberta");
  const { articles, highlights } = articlePairs(3);
  const { model, losses, report } = await robertaShare(dir, articles, highlights, TINY);
  const counts = model.warmStartReport();
  assert.ok(counts.tied > 0, "decoder weights are the encoder's");
  assert.ok(counts.parts.decoder.tied > 0);
  assert.match(report, /tied|shared/i);
  assert.equal(model.config.decoderStartTokenId, 0);
  assert.equal(model.config.padTokenId, 1);
  assert.ok(last(losses) < first(losses), `loss falls: ${first(losses)} → ${last(losses)}`);
  model.dispose();
});

test("describeComposition: BERTShare accounting matches Hugging Face", async () => {
  const { report, text } = await bertShareAccounting();
  assert.equal(report.total, 137_298_244);
  assert.equal(report.random, 28_366_848);
  assert.equal(report.tied, 107_719_680);
  assert.ok(text.length > 0);
});

test("troubleshooting: missing decoder start token", async () => {
  assert.equal(await missingStartToken(), "MISSING_TOKEN_ID");
});

test("troubleshooting: label shifting", () => {
  assert.deepEqual(labelShifting().decoderInputIds, [[2, 7, 8, 9, 3, 0]]);
});

test(
  "troubleshooting: only cross-attention is random after warm-starting BERT2BERT",
  { skip: sharedSkipReason("fixtures/parity") },
  async () => {
    const { random, crossAttention } = await randomCrossAttention(sharedPath("fixtures", "parity", "bert") ?? "");
    assert.ok(crossAttention.length > 0);
    assert.deepEqual(random, crossAttention);
  },
);

test("troubleshooting: constant output check", () => {
  assert.equal(labelsArePadded([[5, 6, 0, 0]], 0), true);
  assert.equal(labelsArePadded([[5, 6, -100, -100]], 0), false);
});

test("troubleshooting: tying a BERT encoder to a GPT-2 decoder fails", async () => {
  assert.equal(await tyingLimits(), "TIE_MISMATCH");
});

test("Python interop: a user logits processor and stopping criterion change beam search's output", async () => {
  const { plain, banned, custom, unwantedId } = await customProcessors();
  assert.ok(plain[0]?.includes(unwantedId), "the banned token is one the model picks unaided");
  assert.notDeepEqual(banned, plain, "the processor changes the output");
  assert.notDeepEqual(custom, banned, "the criterion changes the output");
  for (const row of [...banned, ...custom]) {
    assert.ok(!row.includes(unwantedId), `banned ${unwantedId} in ${JSON.stringify(row)}`);
  }
});

test("Serving: batched answers equal generateText's, streaming gives the same text", { skip }, async () => {
  const dir = await checkpointWithTokenizer("bert");
  const tokenizer = await AutoTokenizer.fromPretrained(dir);
  const model = await warmStartBert2Bert(dir, tokenizer);
  const { articles } = articlePairs(3);
  const inputs = articles.map((a) => a.slice(0, 120));
  const { server, texts, streamed } = await serveAndAsk(model, tokenizer, inputs);
  for (const [i, input] of inputs.entries()) {
    const [alone] = await generateText(model, [input], { tokenizer, numBeams: 2, maxNewTokens: 12 });
    assert.equal(texts[i], alone);
  }
  const [greedy] = await generateText(model, [inputs[0]!], { tokenizer, maxNewTokens: 12 });
  assert.equal(streamed, greedy);
  await server.close();
  model.dispose();
});
