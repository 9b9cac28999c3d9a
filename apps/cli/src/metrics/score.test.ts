import assert from "node:assert/strict";
import { before, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { registerMetric, type MetricInput } from "@warmstart/evaluation";
import { initBackend } from "@warmstart/tensors";
import { trainTokenizer, type Tokenizer } from "@warmstart/tokenizers";
import { Seq2SeqTrainer, type Seq2SeqExample } from "@warmstart/training";
import { CliError } from "../framework/cli-error.js";
import { parseMetrics, parseTrainingMetric, score } from "./score.js";

// The words of the source and target sides: a tiny corpus a one-layer model generates something from.
const WORDS = ["alpha", "beta", "gamma", "delta", "one", "two", "three", "red", "blue", "and", "then", "it"];
let tokenizer: Tokenizer;
let examples: Seq2SeqExample[];

/** What the metric registered below was last given: the predictions the trainer generated, as it scored them. */
let seen: MetricInput | undefined;

before(async () => {
  await initBackend();
  const texts = Array.from({ length: 12 }, (_, i) =>
    Array.from({ length: 3 + (i % 4) }, (_, j) => WORDS[(i * 5 + j * 7) % WORDS.length]).join(" "),
  );
  tokenizer = await trainTokenizer({ texts, kind: "wordpiece", vocabSize: 60, modelMaxLength: 32 });
  examples = texts.map((t, i) => ({ source: t, target: t.split(" ").reverse().slice(0, 3).join(" "), line: i + 1 }));
  // Registered once for this process, as a user's own metric would be: then selected from the CLI and the trainer.
  registerMetric({
    name: "word_overlap",
    scores: ["word_overlap"],
    compute(input) {
      seen = input;
      let shared = 0;
      let total = 0;
      input.predictions.forEach((p, i) => {
        const reference = new Set(input.references[i]![0]!.split(" "));
        const words = p.split(" ").filter((w) => w !== "");
        total += words.length;
        shared += words.filter((w) => reference.has(w)).length;
      });
      return { word_overlap: total === 0 ? 0 : (100 * shared) / total };
    },
  });
});

async function tinyBert2Bert(): Promise<EncoderDecoderModel> {
  const config = {
    model_type: "bert",
    vocab_size: tokenizer.vocabSize,
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 32,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  };
  return EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: config,
    decoderConfig: config,
    seed: 5,
    decoderStartTokenId: tokenizer.clsTokenId as number,
    eosTokenId: tokenizer.sepTokenId as number,
    padTokenId: tokenizer.padTokenId as number,
  });
}

test("the trainer's eval_* results and the CLI's scores are the same numbers under the same names", async () => {
  const model = await tinyBert2Bert();
  const trainerFor = (evalExamples: Seq2SeqExample[], metrics: string[]): Seq2SeqTrainer =>
    new Seq2SeqTrainer({
      model,
      sourceTokenizer: tokenizer,
      trainExamples: examples,
      batchSize: 4,
      maxSteps: 1,
      learningRate: 1e-3,
      maxSourceLength: 16,
      maxTargetLength: 8,
      log: () => {},
      evaluation: { examples: evalExamples, everySteps: 100, metrics, generation: { maxNewTokens: 6 } },
    });
  try {
    // A first evaluation shows what the untrained model generates (greedy, so the same again below); the targets
    // are then made from it, half equal to the prediction, so that every score has something to count.
    await trainerFor(examples, ["word_overlap"]).evaluate();
    const generated = seen!.predictions;
    const scored = examples.map((e, i) => ({
      ...e,
      target: i % 2 === 0 ? generated[i]! : `${generated[i]} ${e.target}`,
    }));
    const trainer = trainerFor(scored, ["rouge", "bleu", "sari", "exact_match", "word_overlap"]);
    const results = await trainer.evaluate();
    assert.deepEqual(seen!.predictions, generated, "the same predictions as the first evaluation");
    const cli = await score(await parseMetrics("rouge,bleu,sari,exact-match,word_overlap"), {
      predictions: generated,
      references: scored.map((e) => [e.target]),
      sources: scored.map((e) => e.source),
    });
    assert.equal(cli.exact_match, 50);
    assert.ok((cli.rouge1 as number) > 50 && (cli.bleu as number) > 0, JSON.stringify(cli));
    const names = ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "sari", "exact_match", "word_overlap"];
    for (const name of names) {
      assert.equal(typeof results[name], "number", `the trainer reports ${name}`);
      assert.equal(results[name], cli[name], name);
    }
    // The trainer keeps numbers only: the signature string is the CLI's alone.
    assert.equal(typeof cli.bleu_signature, "string");
    assert.ok(!("bleu_signature" in results));
    const entry = trainer.logHistory.find((e) => "eval_rouge1" in e);
    assert.ok(entry !== undefined, "the evaluation is logged with eval_ keys");
    for (const name of names) assert.equal(entry[`eval_${name}`], results[name], `eval_${name}`);
  } finally {
    model.dispose();
  }
});

test("train --metric takes one score of the registry; evaluate --metric any metric or score", async () => {
  assert.equal(await parseTrainingMetric("sari"), "sari");
  assert.equal(await parseTrainingMetric("rouge2"), "rouge2");
  assert.equal(await parseTrainingMetric("word_overlap"), "word_overlap");
  assert.equal(await parseTrainingMetric("exact-match"), "exact_match");
  await assert.rejects(
    parseTrainingMetric("meteor"),
    (e: unknown) =>
      e instanceof CliError && /unknown --metric "meteor"/.test(e.message) && /^use one of rouge1,/.test(e.hint ?? ""),
  );
  await assert.rejects(
    parseTrainingMetric("rouge"),
    (e: unknown) => e instanceof CliError && /several scores/.test(e.message) && /rouge1, rouge2/.test(e.hint ?? ""),
  );
  assert.deepEqual(await parseMetrics("ROUGE, Sari,rougeL,word_overlap"), ["rouge", "sari", "rougeL", "word_overlap"]);
  await assert.rejects(
    parseMetrics("meteor"),
    (e: unknown) =>
      e instanceof CliError && /unknown metric "meteor"/.test(e.message) && /word_overlap/.test(e.hint ?? ""),
  );
  assert.throws(
    () =>
      new Seq2SeqTrainer({
        model: {} as EncoderDecoderModel,
        sourceTokenizer: tokenizer,
        trainExamples: examples,
        batchSize: 4,
        maxSteps: 1,
        evaluation: { examples, everySteps: 100, metrics: ["meteor"] },
      }),
    /evaluation\.metrics: unknown metric "meteor"/,
  );
});
