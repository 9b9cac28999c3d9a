// Search strategies against real transformers (oracle/strategies_probe.py) on tiny BERT2BERT checkpoints composed
// and saved by this project (wide initial weights: peaked distributions, so float32 differences between
// TensorFlow.js and PyTorch cannot reorder near-ties).
// Diverse (group) beam search: transformers 4.56.2, its last in-core implementation (4.57 and 5.x moved it to a
// Hub repo), same ids exactly and sequences_scores within 1e-4.
// Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { assertClose, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import type { GenerateOutput } from "./generate.js";
import { camelCase, saveTinyBert2Bert, TWO_INPUTS as TWO } from "./test-support/oracle-fixtures.js";

const THREE = {
  input_ids: [
    [5, 6, 7, 8, 9, 10],
    [11, 12, 13, 9, 0, 0],
    [14, 3, 20, 21, 22, 0],
  ],
  attention_mask: [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 0],
  ],
};

interface Case {
  name: string;
  input_ids: number[][];
  attention_mask?: number[][];
  kwargs: Record<string, unknown>;
}

const GROUP_CASES: Case[] = [
  {
    name: "4 beams, 2 groups, penalty 1, return 4",
    ...TWO,
    kwargs: { num_beams: 4, num_beam_groups: 2, diversity_penalty: 1.0, num_return_sequences: 4, max_length: 12 },
  },
  {
    name: "6 beams, 3 groups, penalty 2, return 3, early_stopping true",
    ...THREE,
    kwargs: {
      num_beams: 6,
      num_beam_groups: 3,
      diversity_penalty: 2.0,
      num_return_sequences: 3,
      max_length: 12,
      early_stopping: true,
    },
  },
  {
    name: '4 beams, 4 groups, penalty 0.5, length_penalty 2, early_stopping "never"',
    ...TWO,
    kwargs: {
      num_beams: 4,
      num_beam_groups: 4,
      diversity_penalty: 0.5,
      num_return_sequences: 2,
      max_length: 14,
      length_penalty: 2.0,
      early_stopping: "never",
    },
  },
  {
    name: "4 beams, 2 groups, penalty 3, length_penalty -1",
    ...TWO,
    kwargs: { num_beams: 4, num_beam_groups: 2, diversity_penalty: 3.0, max_length: 12, length_penalty: -1.0 },
  },
  {
    name: "6 beams, 2 groups, penalty 1.5, min_length + no_repeat_ngram_size + repetition_penalty",
    ...THREE,
    kwargs: {
      num_beams: 6,
      num_beam_groups: 2,
      diversity_penalty: 1.5,
      num_return_sequences: 6,
      max_length: 13,
      min_length: 6,
      no_repeat_ngram_size: 2,
      repetition_penalty: 1.3,
    },
  },
  {
    name: "4 beams, 2 groups, eos list",
    ...TWO,
    kwargs: {
      num_beams: 4,
      num_beam_groups: 2,
      diversity_penalty: 1.0,
      num_return_sequences: 2,
      max_length: 12,
      eos_token_id: [5, 9],
    },
  },
];

interface OracleResult {
  version: string;
  checkpoints: { results: Record<string, { sequences: number[][]; sequences_scores?: number[] }> }[];
}

let dir = "";
const ours = new Map<string, GenerateOutput>();

before(async () => {
  await initBackend();
  dir = await saveTinyBert2Bert("strategies-hf-", { seed: 3 });
  const model = await EncoderDecoderModel.fromPretrained(dir);
  try {
    for (const c of GROUP_CASES) {
      const inputs = {
        inputIds: c.input_ids,
        ...(c.attention_mask !== undefined ? { attentionMask: c.attention_mask } : {}),
      };
      ours.set(c.name, await model.generate(inputs, camelCase(c.kwargs)));
    }
  } finally {
    model.dispose();
  }
});
after(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("diverse beam search: the groups return different sequences", () => {
  const out = ours.get(GROUP_CASES[0]!.name)!;
  assert.equal(new Set(out.sequences.slice(0, 4).map((s) => JSON.stringify(s))).size, 4);
});

test("transformers 4.56 (last in-core diverse beam search): the same ids and sequences_scores within 1e-4", () => {
  const oracle = runOracle<OracleResult>("v4", "strategies_probe.py", { checkpoints: [{ dir, cases: GROUP_CASES }] }, [
    "--transformers-4.56",
  ]);
  assert.equal(oracle.version, "4.56.2");
  for (const c of GROUP_CASES) {
    const theirs = oracle.checkpoints[0]!.results[c.name]!;
    const mine = ours.get(c.name)!;
    assert.deepEqual(mine.sequences, theirs.sequences, c.name);
    assertClose(mine.sequencesScores!, theirs.sequences_scores!, 1e-4, `${c.name} scores`);
  }
});
