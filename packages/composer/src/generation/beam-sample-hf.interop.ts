// Beam sampling (do_sample with num_beams > 1) against real transformers 5.24 and 4.57 (oracle/beam_sample_probe.py)
// on a tiny BERT2BERT saved by this project. PyTorch's random stream cannot be reproduced here, so the probe records
// every `torch.multinomial` call of generate(): the probabilities it drew from (per input, the softmax of the
// running beam scores over num_beams * vocab candidates, after the processors and warpers) and the indices it drew.
// This side replays those indices through generate()'s `sampler` option and checks, at every step, that it offers
// the same probabilities (within 1e-5), then that it ends with the same sequences, beam indices and sequence scores.
// Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { assertClose, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import type { GenerateOutput } from "./generate.js";
import type { CandidateSampler } from "./search/sampler.js";
import { camelCase, saveTinyBert2Bert, TWO_INPUTS } from "./test-support/oracle-fixtures.js";

interface Case {
  name: string;
  input_ids: number[][];
  attention_mask?: number[][];
  seed: number;
  kwargs: Record<string, unknown>;
}

const BEAMS = { do_sample: true, num_beams: 3, max_new_tokens: 8 };
const CASES: Case[] = [
  { name: "3 beams, top_k 0", ...TWO_INPUTS, seed: 1, kwargs: { ...BEAMS, top_k: 0 } },
  {
    name: "3 beams, default top_k (50), return 3",
    ...TWO_INPUTS,
    seed: 2,
    kwargs: { ...BEAMS, num_return_sequences: 3 },
  },
  {
    name: "4 beams, temperature 1.7, top_k 3 (at least 2 kept per beam), length_penalty 0.5",
    ...TWO_INPUTS,
    seed: 3,
    kwargs: { ...BEAMS, num_beams: 4, temperature: 1.7, top_k: 3, length_penalty: 0.5, num_return_sequences: 2 },
  },
  {
    name: "3 beams, top_p 0.8, early_stopping, no_repeat_ngram_size 2",
    ...TWO_INPUTS,
    seed: 4,
    kwargs: { ...BEAMS, top_k: 0, top_p: 0.8, early_stopping: true, no_repeat_ngram_size: 2 },
  },
  {
    name: "2 beams, min_p 0.1, eos list, min_new_tokens 3",
    ...TWO_INPUTS,
    seed: 5,
    kwargs: { ...BEAMS, num_beams: 2, top_k: 0, min_p: 0.1, eos_token_id: [5, 9], min_new_tokens: 3 },
  },
];

interface Draw {
  probs: number[][];
  indices: number[][];
}
interface OracleResult {
  version: string;
  results: Record<
    string,
    {
      error?: string;
      sequences: number[][];
      sequences_scores: number[];
      beam_indices: number[][];
      scores: (number | null)[][];
      draws: Draw[];
    }
  >;
}

/**
 * Replays transformers' draws: call k is input `k % batch` of step `floor(k / batch)`; checks what it is offered.
 * Past transformers' last step (4.57 may stop at another step, see below) it draws the best candidates.
 */
function replaySampler(draws: Draw[], batch: number, what: string): { sampler: CandidateSampler; calls: () => number } {
  let call = 0;
  const sampler: CandidateSampler = (probabilities, count) => {
    const step = Math.floor(call / batch);
    const input = call % batch;
    call++;
    const draw = draws[step];
    if (draw === undefined) {
      return [...probabilities.keys()].sort((a, b) => probabilities[b]! - probabilities[a]!).slice(0, count);
    }
    const expected = draw.probs[input]!;
    assert.equal(probabilities.length, expected.length, `${what}: step ${step} input ${input} candidates`);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(probabilities[i]! - expected[i]!));
    assert.ok(worst <= 1e-5, `${what}: step ${step} input ${input}: probabilities differ by ${worst}`);
    const indices = draw.indices[input]!;
    assert.equal(count, indices.length, `${what}: step ${step} candidates drawn`);
    return [...indices];
  };
  return { sampler, calls: () => call };
}

/** Whether at some step the first `numBeams` candidates drawn are not the `numBeams` best of those drawn. */
function drawOrderMatters(draws: Draw[], numBeams: number): boolean {
  return draws.some((d) =>
    d.indices.some((row, input) => {
      const probs = d.probs[input]!;
      const best = [...row].sort((a, b) => probs[b]! - probs[a]!).slice(0, numBeams);
      const first = new Set(row.slice(0, numBeams));
      return best.some((index) => !first.has(index));
    }),
  );
}

let dir = "";
before(async () => {
  await initBackend();
  dir = await saveTinyBert2Bert("beam-sample-hf-", { seed: 11 });
});
after(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

for (const line of ORACLE_LINES) {
  test(`beam sampling: the same distributions at every step and, replaying the draws, the same outputs as transformers (${line})`, async () => {
    const oracle = runOracle<OracleResult>(line, "beam_sample_probe.py", { dir, cases: CASES });
    const model = await EncoderDecoderModel.fromPretrained(dir);
    let compared = 0;
    try {
      for (const c of CASES) {
        const theirs = oracle.results[c.name]!;
        const what = `${c.name} (transformers ${oracle.version})`;
        assert.equal(theirs.error, undefined, what);
        const batch = c.input_ids.length;
        const replay = replaySampler(theirs.draws, batch, what);
        const mine: GenerateOutput = await model.generate(
          { inputIds: c.input_ids, ...(c.attention_mask ? { attentionMask: c.attention_mask } : {}) },
          { ...camelCase(c.kwargs), returnDictInGenerate: true, outputScores: true },
          { sampler: replay.sampler },
        );
        const numBeams = c.kwargs.num_beams as number;
        assert.ok(replay.calls() >= batch, `${what}: the distributions of every step were compared`);
        if (line === "v4" && drawOrderMatters(theirs.draws, numBeams)) {
          // 4.57 does not rank the drawn candidates: the first numBeams *drawn* may finish a hypothesis, where 5.x
          // lets the numBeams best. The running beams (chosen by score in both), and so the distributions of every
          // step both lines run, agree (checked by the replay above); the finished hypotheses and the step the
          // loop ends at may not. This follows 5.x.
          continue;
        }
        compared++;
        assert.equal(replay.calls(), theirs.draws.length * batch, `${what}: one draw per input per step`);
        assert.deepEqual(mine.sequences, theirs.sequences, what);
        assert.deepEqual(mine.beamIndices, theirs.beam_indices, `${what}: beam indices`);
        assertClose(mine.sequencesScores!, theirs.sequences_scores, 1e-4, `${what}: sequences_scores`);
        assert.equal(mine.scores!.length, theirs.scores.length, `${what}: steps`);
        const vocab = mine.scores![0]!.length / (batch * numBeams);
        mine.scores!.forEach((step, s) => {
          const expected = theirs.scores[s]!;
          const offered = theirs.draws[s]?.probs;
          step.forEach((v, i) => {
            // A beam none of whose candidates can be drawn (probability 0: its running score is -1e9, as when the
            // first step has fewer live candidates than beams) holds whichever token tie-breaking among equal
            // -1e9 candidates put there; it is part of no output and no distribution, so its scores are not compared.
            const row = Math.floor(i / vocab);
            const beamProbs = offered?.[Math.floor(row / numBeams)]?.slice(
              (row % numBeams) * vocab,
              ((row % numBeams) + 1) * vocab,
            );
            if (beamProbs !== undefined && beamProbs.every((p) => p === 0)) return;
            const e = expected[i] ?? -Infinity;
            const ok = e === -Infinity ? v === -Infinity : Math.abs(v - e) <= 1e-4;
            assert.ok(ok, `${what}: step ${s} score ${i}: ours ${v}, transformers ${e}`);
          });
        });
      }
      const sampledSomethingElse = CASES.some((c) =>
        oracle.results[c.name]!.draws.some((d) =>
          d.indices.some((row, input) => {
            const probs = d.probs[input]!;
            const best = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!).slice(0, row.length);
            return row.some((index, k) => index !== best[k]);
          }),
        ),
      );
      console.log(
        `beam sampling, transformers ${oracle.version}: ${compared} of ${CASES.length} cases compared in full`,
      );
      assert.ok(line === "v4" || compared === CASES.length, "5.x: every case compared in full");
      assert.ok(sampledSomethingElse, "some draw differs from beam search's choice, so the cases prove sampling");
    } finally {
      model.dispose();
    }
  });
}
