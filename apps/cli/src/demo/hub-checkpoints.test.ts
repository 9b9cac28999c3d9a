// `warmstart demo --from-hub`'s downloads, against a loopback hub serving Google's BERT miniatures and
// distilbert/distilgpt2 in their exact layouts (test-support/demo-hub.ts), configured as users configure the
// real one: HF_ENDPOINT, HF_HOME, HF_HUB_OFFLINE.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { AutoTokenizer } from "@warmstart/tokenizers";
import { CliError } from "../framework/cli-error.js";
import { CommandContext } from "../framework/context.js";
import {
  BERT_MINIATURE_LAYOUT,
  BERT_SELECTED,
  DISTILGPT2_LAYOUT,
  DISTILGPT2_SELECTED,
  fixtureBertVocab,
  serveDemoHub,
  type DemoHub,
} from "../test-support/demo-hub.js";
import { BERT_MINIATURES, DEFAULT_HUB_GPT2, downloadHubCheckpoints, hubBertId } from "./hub-checkpoints.js";

const MINI = "google/bert_uncased_L-4_H-256_A-4";
let demoHub: DemoHub;

before(async () => {
  demoHub = await serveDemoHub();
});
after(async () => {
  await demoHub.close();
});

/** A context whose stderr (logs, progress) is kept for assertions. */
function context(): { ctx: CommandContext; stderr: () => string } {
  let text = "";
  const sink = { write: (chunk: string) => ((text += chunk), true) };
  return { ctx: new CommandContext({}, { stdout: { write: () => true }, stderr: sink }), stderr: () => text };
}

const HUB_VARIABLES = ["HF_ENDPOINT", "HF_HOME", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN"];

/** Runs `body` with these HF_* variables (and no others of the hub's), restoring the environment after. */
async function withEnv<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(HUB_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of HUB_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const requestedFiles = (hub: DemoHub): string[] =>
  hub.hub.requests
    .map((r) => decodeURIComponent(new URL(r.url, "http://x").pathname))
    .filter((p) => p.includes("/resolve/"));

test("the fixture serves the repositories' exact layouts", async () => {
  for (const id of Object.values(BERT_MINIATURES)) {
    assert.deepEqual((await readdir(join(demoHub.reposDir, id))).sort(), [...BERT_MINIATURE_LAYOUT].sort(), id);
  }
  const gpt2 = (await readdir(join(demoHub.reposDir, DEFAULT_HUB_GPT2), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(demoHub.reposDir, DEFAULT_HUB_GPT2).length + 1));
  assert.deepEqual(gpt2.sort(), [...DISTILGPT2_LAYOUT].sort());
});

test("downloads BERT-Mini and DistilGPT2 through HF_ENDPOINT into HF_HOME, config + tokenizer + one set of weights", async () => {
  const { ctx, stderr } = context();
  const checkpoints = await withEnv(demoHub.env, () => downloadHubCheckpoints(ctx, {}));
  const cache = join(demoHub.hfHome, "hub");
  const bertCommit = demoHub.hub.commitOf(MINI);
  const gpt2Commit = demoHub.hub.commitOf(DEFAULT_HUB_GPT2);
  assert.equal(checkpoints.bert, join(cache, "models--google--bert_uncased_L-4_H-256_A-4", "snapshots", bertCommit));
  assert.equal(checkpoints.gpt2, join(cache, "models--distilbert--distilgpt2", "snapshots", gpt2Commit));
  assert.equal(checkpoints.roberta, null);
  assert.equal(
    checkpoints.origin,
    `Hugging Face Hub (${demoHub.hub.url}): ${MINI}@${bertCommit}, ${DEFAULT_HUB_GPT2}@${gpt2Commit}`,
  );
  assert.deepEqual((await readdir(checkpoints.bert)).sort(), [...BERT_SELECTED]);
  assert.deepEqual((await readdir(checkpoints.gpt2 as string)).sort(), [...DISTILGPT2_SELECTED]);
  // Nothing else was even requested: no TensorFlow, Flax, Rust, TFLite or Core ML file, no .bin beside safetensors.
  const fetched = requestedFiles(demoHub).map((path) => basename(path));
  for (const skipped of [
    "tf_model.h5",
    "flax_model.msgpack",
    "rust_model.ot",
    "64.tflite",
    "model.mlmodel",
    "README.md",
  ]) {
    assert.ok(!fetched.includes(skipped), `${skipped} was requested`);
  }
  assert.ok(
    !requestedFiles(demoHub).some(
      (path) => path.startsWith(`/${DEFAULT_HUB_GPT2}/`) && path.endsWith("pytorch_model.bin"),
    ),
    "distilgpt2's pytorch_model.bin was requested although model.safetensors is there",
  );
  assert.match(stderr(), new RegExp(`BERT: ${MINI} from ${demoHub.hub.url.replace(/[.]/g, "\\.")}`));
  assert.match(stderr(), /download google\/bert_uncased_L-4_H-256_A-4\/pytorch_model\.bin \(KiB\)/);
});

test("the downloaded folders load: BERT as encoder and decoder, DistilGPT2 as decoder, both tokenizers", async () => {
  const { ctx } = context();
  const { bert, gpt2 } = await withEnv({ ...demoHub.env, HF_HUB_OFFLINE: "1" }, () => downloadHubCheckpoints(ctx, {}));
  // The miniatures' pytorch_model.bin predates torch 1.6: the legacy torch.save format, a pickle (0x80) first.
  assert.equal((await readFile(join(bert, "pytorch_model.bin")))[0], 0x80);
  const bert2bert = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, bert, { seed: 1 });
  try {
    const report = bert2bert.warmStartReport();
    assert.equal(report.parts.encoder.random, 0, "the whole encoder comes from pytorch_model.bin");
    assert.equal(bert2bert.config.encoder.model_type, "bert", "model_type taken from the name, as AutoConfig does");
    assert.ok(report.randomWeights.decoder.length > 0);
    assert.ok(
      report.randomWeights.decoder.every((name) => name.includes(".crossattention.")),
      `random decoder weights: ${report.randomWeights.decoder.join(", ")}`,
    );
  } finally {
    bert2bert.dispose();
  }
  const bert2gpt2 = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, gpt2, { seed: 1 });
  try {
    const report = bert2gpt2.warmStartReport();
    assert.equal(report.parts.encoder.random, 0);
    assert.ok(
      report.randomWeights.decoder.every((name) => /\.(crossattention|ln_cross_attn)\./.test(name)),
      `random decoder weights: ${report.randomWeights.decoder.join(", ")}`,
    );
  } finally {
    bert2gpt2.dispose();
  }

  // vocab.txt alone: WordPiece with BertTokenizer's defaults, lower-casing on.
  const bertTokenizer = await AutoTokenizer.fromPretrained(bert);
  const vocab = fixtureBertVocab();
  assert.deepEqual((await bertTokenizer.encode("Hello World.")).inputIds, [
    vocab.indexOf("[CLS]"),
    vocab.indexOf("hello"),
    vocab.indexOf("world"),
    vocab.indexOf("."),
    vocab.indexOf("[SEP]"),
  ]);
  assert.equal(bertTokenizer.padTokenId, 0);
  const gpt2Tokenizer = await AutoTokenizer.fromPretrained(gpt2 as string);
  assert.deepEqual(await gpt2Tokenizer.tokenize(" the city"), ["\u0120the", "\u0120city"]);
  assert.equal(gpt2Tokenizer.eosTokenId, gpt2Tokenizer.vocabSize - 1, "<|endoftext|> is the last id");
});

test("BERT's pytorch_model.bin loads in the zip torch.save format as in the legacy one", async () => {
  const zipHub = await serveDemoHub({ bertFormat: "zip" });
  try {
    const { bert } = await withEnv(zipHub.env, () => downloadHubCheckpoints(context().ctx, { gpt2: null }));
    assert.deepEqual([...(await readFile(join(bert, "pytorch_model.bin"))).subarray(0, 4)], [0x50, 0x4b, 3, 4]);
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, bert);
    try {
      assert.equal(model.warmStartReport().parts.encoder.random, 0);
    } finally {
      model.dispose();
    }
  } finally {
    await zipHub.close();
  }
});

test("offline (HF_HUB_OFFLINE=1) after the first download reuses the cache without a request", async () => {
  const online = await withEnv(demoHub.env, () => downloadHubCheckpoints(context().ctx, { bert: "tiny" }));
  const before = demoHub.hub.requests.length;
  const { ctx, stderr } = context();
  const offline = await withEnv({ ...demoHub.env, HF_HUB_OFFLINE: "1" }, () =>
    downloadHubCheckpoints(ctx, { bert: "tiny" }),
  );
  assert.deepEqual(offline, online);
  assert.equal(demoHub.hub.requests.length, before, "no request reached the hub");
  assert.match(stderr(), /google\/bert_uncased_L-2_H-128_A-2 from the Hub cache .* \(offline\)/);
});

test("a missing repository, an unreachable hub and an offline cache miss are CliErrors pointing at the offline default", async () => {
  const offlineDefault = /without --from-hub the demo warm-starts from the checkpoints bundled with warmstart/;
  await withEnv(demoHub.env, async () => {
    await assert.rejects(
      downloadHubCheckpoints(context().ctx, { bert: "google/bert_uncased_L-3_H-100_A-1", gpt2: null }),
      (e: unknown) =>
        e instanceof CliError &&
        e.code === "UNKNOWN_MODEL" &&
        /google\/bert_uncased_L-3_H-100_A-1/.test(e.message) &&
        /NOT_FOUND/.test(e.message) &&
        offlineDefault.test(e.hint ?? ""),
    );
  });
  // A port nothing listens on: the hub was just closed.
  const { startTestHub } = await import("@warmstart/hub/testing");
  const gone = await startTestHub({ repos: [] });
  await gone.close();
  await withEnv({ ...demoHub.env, HF_ENDPOINT: gone.url }, async () => {
    await assert.rejects(
      downloadHubCheckpoints(context().ctx, { bert: "small", hub: { retries: 0 } }),
      (e: unknown) =>
        e instanceof CliError &&
        e.code === "NOT_AVAILABLE" &&
        /google\/bert_uncased_L-4_H-512_A-8/.test(e.message) &&
        offlineDefault.test(e.hint ?? ""),
    );
  });
  await withEnv({ ...demoHub.env, HF_HUB_OFFLINE: "1" }, async () => {
    await assert.rejects(
      downloadHubCheckpoints(context().ctx, { bert: "medium" }),
      (e: unknown) =>
        e instanceof CliError &&
        e.code === "NOT_AVAILABLE" &&
        /OFFLINE_CACHE_MISS/.test(e.message) &&
        /HF_HUB_OFFLINE/.test(e.hint ?? "") &&
        offlineDefault.test(e.hint ?? ""),
    );
  });
});

test("the bert option takes a miniature's name or a Hub id; anything else is a usage error", () => {
  assert.equal(hubBertId(), MINI);
  assert.equal(hubBertId("tiny"), "google/bert_uncased_L-2_H-128_A-2");
  assert.equal(hubBertId("medium"), "google/bert_uncased_L-8_H-512_A-8");
  assert.equal(hubBertId("prajjwal1/bert-tiny"), "prajjwal1/bert-tiny");
  assert.throws(
    () => hubBertId("huge"),
    (e: unknown) => e instanceof CliError && e.code === "USAGE" && /tiny, mini, small, medium/.test(e.message),
  );
});
