// Hand-computed cases for the processors and warpers ported from transformers' logits_process.py (the settings
// sequence_bias, encoder_*, forced_*, remove_invalid_values, exponential_decay_length_penalty, suppress_tokens,
// begin_suppress_tokens, renormalize_logits, min_p, typical_p, epsilon_cutoff, eta_cutoff). No Python: the same
// processors are checked against real transformers in processors-hf.interop.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generationConfigFromHF, mergeGenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";
import {
  buildLogitsProcessors,
  EncoderNoRepeatNGramLogitsProcessor,
  EncoderRepetitionPenaltyLogitsProcessor,
  EpsilonLogitsWarper,
  EtaLogitsWarper,
  ExponentialDecayLengthPenalty,
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  InfNanRemoveLogitsProcessor,
  LogitNormalization,
  MinPLogitsWarper,
  NoBadWordsLogitsProcessor,
  SequenceBiasLogitsProcessor,
  SuppressTokensLogitsProcessor,
  TypicalLogitsWarper,
  type LogitsProcessor,
} from "./logits-processors.js";

const NEG = -Infinity;

function run(p: LogitsProcessor, ids: number[][], rows: number[][]): number[][] {
  const v = rows[0]!.length;
  const scores = Float64Array.from(rows.flat());
  p.process(ids, scores, v);
  return rows.map((_, r) => Array.from(scores.subarray(r * v, (r + 1) * v)));
}

/** Which tokens a warper keeps on a row of probabilities. */
function kept(p: LogitsProcessor, probs: number[]): boolean[] {
  return run(p, [[0]], [probs.map(Math.log)])[0]!.map((s) => s !== NEG);
}

test("sequence bias: one-token entries always, longer ones when the row ends with their prefix; the last duplicate counts", () => {
  const p = new SequenceBiasLogitsProcessor([
    [[3], 1.5],
    [[1, 2], -2],
    [[2], 0.5],
    [[3], 2],
    [[1, 1, 2], 10], // prefix longer than a one-token row: ignored there
  ]);
  assert.deepEqual(run(p, [[1]], [[0, 0, 0, 0]]), [[0, 0, -1.5, 2]]);
  assert.deepEqual(run(p, [[0]], [[0, 0, 0, 0]]), [[0, 0, 0.5, 2]]);
  assert.deepEqual(run(p, [[1, 1]], [[0, 0, 0, 0]]), [[0, 0, 8.5, 2]]);
  assert.throws(() => run(new SequenceBiasLogitsProcessor([[[9], 1]]), [[0]], [[0, 0, 0, 0]]), GenerationError);
  assert.throws(() => new SequenceBiasLogitsProcessor([]), GenerationError);
  assert.throws(() => new SequenceBiasLogitsProcessor([[[], 1]]), GenerationError);
});

test("bad words: an entry whose prefix is longer than the row is ignored; one that fills the row applies; ids outside the vocabulary are an error", () => {
  const p = new NoBadWordsLogitsProcessor([
    [1, 3],
    [1, 1, 2],
  ]);
  assert.deepEqual(run(p, [[1]], [[0, 0, 0, 0]]), [[0, 0, 0, NEG]]);
  assert.deepEqual(run(p, [[1, 1]], [[0, 0, 0, 0]]), [[0, 0, NEG, NEG]]);
  assert.throws(() => run(new NoBadWordsLogitsProcessor([[9, 1]]), [[0]], [[0, 0, 0, 0]]), /outside the vocabulary/);
});

test("encoder repetition penalty: the row's input tokens, positive scores times the penalty, negative ones divided", () => {
  const p = new EncoderRepetitionPenaltyLogitsProcessor(2, [
    [1, 1, 3],
    [2, 0, 0],
  ]);
  const row = [1, -1, 2, -2];
  // Two rows per input (beams): rows 0-1 belong to input 0, rows 2-3 to input 1.
  assert.deepEqual(run(p, [[0], [0], [0], [0]], [row, row, row, row]), [
    [1, -0.5, 2, -1],
    [1, -0.5, 2, -1],
    [2, -1, 4, -2],
    [2, -1, 4, -2],
  ]);
});

test("encoder no-repeat-ngram: bans the continuations of the row's last n-1 tokens in the input; n = 1 bans the input", () => {
  const p = new EncoderNoRepeatNGramLogitsProcessor(2, [[4, 5, 4, 6]]);
  const row = [0, 0, 0, 0, 0, 0, 0];
  assert.deepEqual(run(p, [[0, 4]], [row]), [[0, 0, 0, 0, 0, NEG, NEG]]);
  assert.deepEqual(run(p, [[0, 5]], [row]), [[0, 0, 0, 0, NEG, 0, 0]]);
  assert.deepEqual(run(p, [[0, 6]], [row]), [row]);
  assert.deepEqual(run(new EncoderNoRepeatNGramLogitsProcessor(1, [[4, 5]]), [[0]], [row]), [
    [0, 0, 0, 0, NEG, NEG, 0],
  ]);
  // Fewer than n-1 tokens so far: nothing.
  assert.deepEqual(run(new EncoderNoRepeatNGramLogitsProcessor(3, [[0, 4, 5]]), [[0]], [row]), [row]);
});

test("forced bos at the first step, forced eos (a list) at the last", () => {
  const bos = new ForcedBOSTokenLogitsProcessor(2);
  assert.deepEqual(run(bos, [[0]], [[1, 2, 3, 4]]), [[NEG, NEG, 0, NEG]]);
  assert.deepEqual(run(bos, [[0, 2]], [[1, 2, 3, 4]]), [[1, 2, 3, 4]]);
  const eos = new ForcedEOSTokenLogitsProcessor(4, [1, 3]);
  assert.deepEqual(run(eos, [[0, 1, 2]], [[1, 2, 3, 4]]), [[NEG, 0, NEG, 0]]);
  assert.deepEqual(run(eos, [[0, 1]], [[1, 2, 3, 4]]), [[1, 2, 3, 4]]);
});

test("remove invalid values: NaN → 0, ±Infinity → the float32 extremes", () => {
  const max = 3.4028234663852886e38;
  assert.deepEqual(run(new InfNanRemoveLogitsProcessor(), [[0]], [[NaN, Infinity, NEG, 1]]), [[0, max, -max, 1]]);
});

test("exponential decay length penalty: eos grows by |s| * (factor ** k - 1) after the start index; -Infinity stays", () => {
  // Start index 1 after a one-token prompt: from length 3 on, k = length - 2.
  const p = new ExponentialDecayLengthPenalty([1, 2], [3], 1);
  assert.deepEqual(run(p, [[0, 1]], [[0, 0, 0, -2]]), [[0, 0, 0, -2]]);
  assert.deepEqual(run(p, [[0, 1, 1]], [[0, 0, 0, -2]]), [[0, 0, 0, 0]]);
  assert.deepEqual(run(p, [[0, 1, 1]], [[0, 0, 0, 1.5]]), [[0, 0, 0, 3]]);
  assert.deepEqual(run(p, [[0, 1, 1, 1]], [[0, 0, 0, -2]]), [[0, 0, 0, 4]]);
  assert.deepEqual(run(p, [[0, 1, 1, 1]], [[0, 0, 0, NEG]]), [[0, 0, 0, NEG]]);
  assert.throws(() => new ExponentialDecayLengthPenalty([1, 2], [], 1), /eosTokenId is not set/);
});

test("suppress tokens (out-of-vocabulary ids ignored); begin-suppress only at the first generated position", () => {
  assert.deepEqual(run(new SuppressTokensLogitsProcessor([1, 9]), [[0]], [[1, 2, 3]]), [[1, NEG, 3]]);
  const begin = new SuppressTokensLogitsProcessor([0], 2);
  assert.deepEqual(run(begin, [[0, 1]], [[1, 2, 3]]), [[NEG, 2, 3]]);
  assert.deepEqual(run(begin, [[0]], [[1, 2, 3]]), [[1, 2, 3]]);
  const beginIndex = (cfg: Parameters<typeof mergeGenerationConfig>[0], promptLength: number) =>
    (
      buildLogitsProcessors(mergeGenerationConfig(cfg), [2], { promptLength }).processors.find(
        (p) => p instanceof SuppressTokensLogitsProcessor,
      ) as SuppressTokensLogitsProcessor
    ).beginIndex;
  assert.equal(beginIndex({ beginSuppressTokens: [3] }, 1), 1);
  assert.equal(beginIndex({ beginSuppressTokens: [3], forcedBosTokenId: 4 }, 1), 2, "after the forced bos");
  assert.equal(beginIndex({ beginSuppressTokens: [3], forcedBosTokenId: 4 }, 3), 3);
});

test("renormalize: log-softmax of each row", () => {
  const [row] = run(new LogitNormalization(), [[0]], [[0, Math.log(3)]]);
  assert.ok(Math.abs(row![0]! - Math.log(0.25)) < 1e-12 && Math.abs(row![1]! - Math.log(0.75)) < 1e-12);
});

test("min-p keeps tokens at least min_p times as likely as the top one", () => {
  assert.deepEqual(kept(new MinPLogitsWarper(0.5), [0.5, 0.25, 0.2375, 0.0125]), [true, true, false, false]);
  assert.deepEqual(kept(new MinPLogitsWarper(0), [0.5, 0.25, 0.2375, 0.0125]), [true, true, true, true]);
  assert.deepEqual(kept(new MinPLogitsWarper(1), [0.5, 0.25, 0.2375, 0.0125]), [true, false, false, false]);
});

test("typical-p keeps the tokens closest to the entropy until the mass is reached", () => {
  // p = 0.6, 0.3, 0.1: entropy 0.898; |-log p - H| = 0.387, 0.306, 1.405 → order 1, 0, 2 (cumulative 0.3, 0.9, 1).
  const probs = [0.6, 0.3, 0.1];
  assert.deepEqual(kept(new TypicalLogitsWarper(0.2), probs), [false, true, false]);
  assert.deepEqual(kept(new TypicalLogitsWarper(0.5), probs), [true, true, false]);
  assert.deepEqual(kept(new TypicalLogitsWarper(0.95), probs), [true, true, true]);
  assert.throws(() => new TypicalLogitsWarper(1), GenerationError);
});

test("epsilon and eta cutoffs; the most likely token always survives", () => {
  const probs = [0.6, 0.3, 0.1];
  assert.deepEqual(kept(new EpsilonLogitsWarper(0.2), probs), [true, true, false]);
  assert.deepEqual(kept(new EpsilonLogitsWarper(0.7), probs), [true, false, false]);
  // eta 0.5: min(0.5, sqrt(0.5) * exp(-0.898)) = 0.288; eta 0.05: min(0.05, 0.091) = 0.05.
  assert.deepEqual(kept(new EtaLogitsWarper(0.5), probs), [true, true, false]);
  assert.deepEqual(kept(new EtaLogitsWarper(0.05), probs), [true, true, true]);
});

test("every processor in transformers 5's _get_logits_processor order; warpers only when sampling", () => {
  const names = (cfg: Parameters<typeof mergeGenerationConfig>[0]) =>
    buildLogitsProcessors(mergeGenerationConfig(cfg), [2], {
      encoderInputIds: [[4, 5]],
      promptLength: 1,
      maxLength: 10,
    }).processors.map((p) => p.constructor.name);
  const all = {
    sequenceBias: [[[3], 1]] as [number[], number][],
    encoderRepetitionPenalty: 1.5,
    repetitionPenalty: 1.2,
    noRepeatNgramSize: 2,
    encoderNoRepeatNgramSize: 2,
    badWordsIds: [[7]],
    minLength: 3,
    forcedBosTokenId: 4,
    forcedEosTokenId: 2,
    removeInvalidValues: true,
    exponentialDecayLengthPenalty: [2, 1.5] as [number, number],
    suppressTokens: [6],
    beginSuppressTokens: [7],
    renormalizeLogits: true,
    temperature: 0.7,
    topK: 5,
    topP: 0.9,
    minP: 0.1,
    typicalP: 0.9,
    epsilonCutoff: 3e-4,
    etaCutoff: 1e-3,
  };
  const processors = [
    "SequenceBiasLogitsProcessor",
    "EncoderRepetitionPenaltyLogitsProcessor",
    "RepetitionPenaltyLogitsProcessor",
    "NoRepeatNGramLogitsProcessor",
    "EncoderNoRepeatNGramLogitsProcessor",
    "NoBadWordsLogitsProcessor",
    "MinLengthLogitsProcessor",
    "ForcedBOSTokenLogitsProcessor",
    "ForcedEOSTokenLogitsProcessor",
    "InfNanRemoveLogitsProcessor",
    "ExponentialDecayLengthPenalty",
    "SuppressTokensLogitsProcessor",
    "SuppressTokensLogitsProcessor",
  ];
  assert.deepEqual(names(all), [...processors, "LogitNormalization"]);
  assert.deepEqual(names({ ...all, doSample: true }), [
    ...processors,
    "TemperatureLogitsWarper",
    "TopKLogitsWarper",
    "TopPLogitsWarper",
    "MinPLogitsWarper",
    "TypicalLogitsWarper",
    "EpsilonLogitsWarper",
    "EtaLogitsWarper",
    "LogitNormalization",
  ]);
  // transformers skips cutoffs outside (0, 1) and typical_p of 1; min_p 0 still adds its (neutral) warper.
  assert.deepEqual(names({ doSample: true, topK: 0, epsilonCutoff: 1, etaCutoff: 0, typicalP: 1, minP: 0 }), [
    "MinPLogitsWarper",
  ]);
});

test("the new settings are read from generation_config.json (snake_case) and checked", () => {
  assert.deepEqual(
    generationConfigFromHF({
      sequence_bias: [[[1, 2], -1.5]],
      exponential_decay_length_penalty: [5, 1.1],
      forced_eos_token_id: [2, 3],
      forced_bos_token_id: 0,
      suppress_tokens: [],
      begin_suppress_tokens: [220],
      encoder_repetition_penalty: 1.2,
      encoder_no_repeat_ngram_size: 3,
      renormalize_logits: true,
      remove_invalid_values: false,
      min_p: null,
      typical_p: 0.95,
      epsilon_cutoff: 0,
      eta_cutoff: 0.001,
    }),
    {
      sequenceBias: [[[1, 2], -1.5]],
      exponentialDecayLengthPenalty: [5, 1.1],
      forcedEosTokenId: [2, 3],
      forcedBosTokenId: 0,
      suppressTokens: [],
      beginSuppressTokens: [220],
      encoderRepetitionPenalty: 1.2,
      encoderNoRepeatNgramSize: 3,
      renormalizeLogits: true,
      removeInvalidValues: false,
      typicalP: 0.95,
      epsilonCutoff: 0,
      etaCutoff: 0.001,
    },
  );
  assert.throws(() => generationConfigFromHF({ exponential_decay_length_penalty: 5 }), /start index, decay factor/);
  assert.throws(() => generationConfigFromHF({ sequence_bias: { "1": 2 } }), /\[token ids, bias\] pairs/);
  assert.throws(() => generationConfigFromHF({ renormalize_logits: 1 }), /a boolean/);
});
