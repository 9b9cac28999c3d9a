// Generation against real transformers (both oracle lines, oracle/generation_probe.py): a tiny random BERT2BERT is
// composed and saved by this project, transformers loads the folder and generates, and every setting below must give
// the same ids exactly and the same beam scores within 1e-4. The eos id (5) was chosen so that returned beams and
// greedy rows end at different lengths (the output width and fill rules are exercised), and the pad id is 0 (which
// transformers' beam search treats as unset: shorter hypotheses are filled with eos). Two more checkpoints check the
// fallbacks: no pad id anywhere (transformers pads with eos) and no eos id anywhere (everything runs to the maximum
// length).
// Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { assertClose, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import type { GenerateOutput } from "./generate.js";
import {
  camelCase,
  TINY_BERT as BERT,
  TINY_TOKENS as TOKENS,
  ONE_INPUT as ONE,
  TWO_INPUTS as TWO,
} from "./test-support/oracle-fixtures.js";

interface Case {
  name: string;
  input_ids: number[][];
  attention_mask?: number[][];
  decoder_input_ids?: number[][];
  /** transformers' generate() keyword arguments; the same settings are passed to the project in camelCase. */
  kwargs: Record<string, unknown>;
}

const CASES: Case[] = [
  { name: "greedy, default max length (20 new tokens)", ...ONE, kwargs: {} },
  { name: "greedy, default max length, eos never generated", ...TWO, kwargs: { eos_token_id: 23 } },
  { name: "greedy, batch with padding, max_new_tokens", ...TWO, kwargs: { max_new_tokens: 10 } },
  { name: "greedy, eos list", ...TWO, kwargs: { max_new_tokens: 10, eos_token_id: [5, 9] } },
  {
    name: "greedy, min_length + no_repeat_ngram_size",
    ...TWO,
    kwargs: { max_length: 12, min_length: 7, no_repeat_ngram_size: 2 },
  },
  { name: "greedy, min_new_tokens", ...TWO, kwargs: { max_new_tokens: 9, min_new_tokens: 4 } },
  {
    name: "greedy, decoder prompt without the start token",
    ...ONE,
    decoder_input_ids: [[4, 10]],
    kwargs: { max_new_tokens: 6 },
  },
  {
    name: "beam 4, return 4, early_stopping false",
    ...ONE,
    kwargs: { num_beams: 4, num_return_sequences: 4, max_length: 12 },
  },
  {
    name: "beam 4, return 4, early_stopping true",
    ...TWO,
    kwargs: { num_beams: 4, num_return_sequences: 4, max_length: 12, early_stopping: true },
  },
  {
    name: 'beam 3, return 3, early_stopping "never", length_penalty 0.5',
    ...TWO,
    kwargs: { num_beams: 3, num_return_sequences: 3, max_length: 12, early_stopping: "never", length_penalty: 0.5 },
  },
  {
    name: "beam 4, return 2, length_penalty 2",
    ...TWO,
    kwargs: { num_beams: 4, num_return_sequences: 2, max_length: 14, length_penalty: 2.0 },
  },
  {
    name: "beam 4, return 1, length_penalty -1 (favours short)",
    ...ONE,
    kwargs: { num_beams: 4, max_length: 14, length_penalty: -1.0 },
  },
  {
    name: "beam 4, return 3, min_length + no_repeat_ngram_size",
    ...TWO,
    kwargs: { num_beams: 4, num_return_sequences: 3, max_length: 12, min_length: 6, no_repeat_ngram_size: 2 },
  },
  { name: "beam 2, default max length", ...ONE, kwargs: { num_beams: 2, num_return_sequences: 2 } },
  {
    name: "beam 3, max_new_tokens, decoder prompt",
    ...TWO,
    decoder_input_ids: [
      [2, 4],
      [2, 10],
    ],
    kwargs: { num_beams: 3, num_return_sequences: 2, max_new_tokens: 8 },
  },
];

interface OracleResult {
  version: string;
  checkpoints: {
    generation_config: Record<string, unknown>;
    results: Record<string, { sequences: number[][]; sequences_scores?: number[] }>;
  }[];
}

/** A checkpoint variant: its special tokens (null: unset in config.json and in the decoder sub-config) and cases. */
interface Checkpoint {
  name: string;
  tokens: { decoderStartTokenId: number; eosTokenId: number | null; padTokenId: number | null };
  cases: Case[];
}

const CHECKPOINTS: Checkpoint[] = [
  { name: "pad 0", tokens: TOKENS, cases: CASES },
  {
    name: "no pad id",
    tokens: { ...TOKENS, padTokenId: null },
    cases: [
      { name: "greedy, rows padded with eos", ...TWO, kwargs: { max_new_tokens: 10 } },
      { name: "beam 4, return 4", ...ONE, kwargs: { num_beams: 4, num_return_sequences: 4, max_length: 12 } },
    ],
  },
  {
    name: "no eos id",
    tokens: { ...TOKENS, eosTokenId: null },
    cases: [
      { name: "greedy, default max length", ...TWO, kwargs: {} },
      { name: "beam 3, return 2", ...TWO, kwargs: { num_beams: 3, num_return_sequences: 2, max_new_tokens: 7 } },
    ],
  },
];

const dirs = new Map<string, string>();
const ours = new Map<string, GenerateOutput>();
const key = (checkpoint: Checkpoint, c: Case) => `${checkpoint.name}: ${c.name}`;

before(async () => {
  await initBackend();
  for (const checkpoint of CHECKPOINTS) {
    const dir = mkdtempSync(join(tmpdir(), "generation-hf-"));
    dirs.set(checkpoint.name, dir);
    // An unset pad must be unset in the decoder sub-config too, or transformers (and this project) take BERT's.
    const bert = { ...BERT, pad_token_id: checkpoint.tokens.padTokenId };
    const composed = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, bert, {
      ...checkpoint.tokens,
      seed: 9,
    });
    try {
      await composed.savePretrained(dir);
    } finally {
      composed.dispose();
    }
    // Generate from the saved folder, as transformers does: what the checkpoint files say is what both sides use.
    const model = await EncoderDecoderModel.fromPretrained(dir);
    try {
      for (const c of checkpoint.cases) {
        const inputs = {
          inputIds: c.input_ids,
          ...(c.attention_mask !== undefined ? { attentionMask: c.attention_mask } : {}),
          ...(c.decoder_input_ids !== undefined ? { decoderInputIds: c.decoder_input_ids } : {}),
        };
        ours.set(key(checkpoint, c), await model.generate(inputs, camelCase(c.kwargs)));
      }
    } finally {
      model.dispose();
    }
  }
});
after(() => {
  for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
});

test("the cases exercise rows of different lengths (the width and fill rules) and the fallbacks", () => {
  const eos = TOKENS.eosTokenId;
  const endsEarly = (row: number[]) => row.indexOf(eos, 1) >= 0 && row.indexOf(eos, 1) < row.length - 1;
  const beam = ours.get("pad 0: beam 4, return 4, early_stopping false")!;
  assert.ok(
    beam.sequences.some(endsEarly),
    `a returned beam ends before the others: ${JSON.stringify(beam.sequences)}`,
  );
  const greedy = ours.get("pad 0: greedy, batch with padding, max_new_tokens")!;
  assert.ok(
    greedy.sequences.some(endsEarly),
    `a greedy row ends before the other: ${JSON.stringify(greedy.sequences)}`,
  );
  // No max_length / max_new_tokens anywhere: 20 new tokens after the start token.
  assert.equal(ours.get("pad 0: greedy, default max length, eos never generated")!.sequences[0]!.length, 21);
  assert.ok(ours.get("no pad id: greedy, rows padded with eos")!.sequences.some(endsEarly));
  for (const row of ours.get("no eos id: greedy, default max length")!.sequences) assert.equal(row.length, 21);
  const saved = JSON.parse(readFileSync(join(dirs.get("pad 0")!, "generation_config.json"), "utf8")) as Record<
    string,
    unknown
  >;
  assert.deepEqual(saved, { _from_model_config: true, decoder_start_token_id: 2, eos_token_id: 5, pad_token_id: 0 });
});

for (const line of ORACLE_LINES) {
  test(`transformers ${line}: the same ids (and beam scores within 1e-4) for every setting`, () => {
    // One Python process for all checkpoints: importing torch and transformers is most of the time.
    const oracle = runOracle<OracleResult>(line, "generation_probe.py", {
      checkpoints: CHECKPOINTS.map((checkpoint) => ({ dir: dirs.get(checkpoint.name), cases: checkpoint.cases })),
    });
    for (const [i, checkpoint] of CHECKPOINTS.entries()) {
      const loaded = oracle.checkpoints[i]!;
      assert.equal(
        loaded.generation_config.decoder_start_token_id,
        2,
        `${oracle.version} reads our generation_config.json`,
      );
      assert.equal(loaded.generation_config.eos_token_id, checkpoint.tokens.eosTokenId ?? undefined);
      assert.equal(loaded.generation_config.pad_token_id, checkpoint.tokens.padTokenId ?? undefined);
      for (const c of checkpoint.cases) {
        const theirs = loaded.results[c.name]!;
        const mine = ours.get(key(checkpoint, c))!;
        const what = `${key(checkpoint, c)} (transformers ${oracle.version})`;
        assert.deepEqual(mine.sequences, theirs.sequences, what);
        if (theirs.sequences_scores !== undefined) {
          assertClose(mine.sequencesScores!, theirs.sequences_scores, 1e-4, `${what} scores`);
        } else {
          assert.equal(mine.sequencesScores, undefined, what);
        }
      }
    }
  });
}
