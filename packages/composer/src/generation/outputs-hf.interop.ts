// generate()'s extra inputs, stopping rules and output fields against real transformers (both oracle lines,
// oracle/outputs_probe.py): a tiny random BERT2BERT composed and saved by this project, and a tiny WordPiece
// tokenizer made here (transformers loads the same tokenizer.json with PreTrainedTokenizerFast). Identical ids with
// stop_strings, prefix_allowed_tokens_fn (ids congruent to the last id mod 3), encoder_outputs given and
// token_type_ids; the same `scores` (1e-4), `beam_indices` (exactly) and compute_transition_scores (1e-4) for greedy
// and beam search. Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { initBackend, type tf } from "@warmstart/tensors";
import { ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { Tokenizer } from "@warmstart/tokenizers";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import type { GenerateOutput } from "./generate.js";
import { StopStringCriteria } from "./stopping-criteria.js";
import { camelCase, ONE_INPUT as ONE, TINY_BERT, TWO_INPUTS as TWO } from "./test-support/oracle-fixtures.js";

const VOCAB = [
  "[PAD]",
  "[UNK]",
  "[CLS]",
  "[SEP]",
  "[MASK]",
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "##b",
  "##c",
  "##d",
  "##e",
  "##f",
  "ab",
  "cd",
  "##ab",
  "##cd",
  "abc",
  "##def",
  "x",
  "y",
];
const BERT = { ...TINY_BERT, vocab_size: VOCAB.length };
const TOKENS = { decoderStartTokenId: 2, eosTokenId: 23, padTokenId: 0 };

interface Case {
  name: string;
  input_ids: number[][];
  attention_mask?: number[][];
  token_type_ids?: number[][];
  kwargs: Record<string, unknown>;
  prefix_mod3?: boolean;
  encoder_outputs?: boolean;
}

interface OracleCase {
  sequences: number[][];
  sequences_scores?: number[];
  scores: (number | null)[][];
  beam_indices?: number[][];
  transition: (number | null)[][];
  transition_normalized: (number | null)[][];
}

/** Within `tolerance`, with null (transformers' -inf / nan, written as null) matching a non-finite value. */
function closeWithInf(
  mine: readonly number[],
  theirs: readonly (number | null)[],
  tolerance: number,
  what: string,
): void {
  assert.equal(mine.length, theirs.length, `${what}: length`);
  mine.forEach((m, i) => {
    const t = theirs[i];
    if (t === null || t === undefined) assert.ok(!Number.isFinite(m), `${what}[${i}]: ${m}, transformers -inf`);
    else assert.ok(Math.abs(m - t) <= tolerance, `${what}[${i}]: ${m} vs ${t}`);
  });
}

let dir = "";
let tokenizerFile = "";
let cases: Case[] = [];
const ours = new Map<string, { out: GenerateOutput; transition: number[][]; transitionNormalized: number[][] }>();

before(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), "outputs-hf-"));
  const tokenizer = Tokenizer.fromVocab({ kind: "wordpiece", vocab: VOCAB });
  await tokenizer.save(join(dir, "tokenizer"));
  tokenizerFile = join(dir, "tokenizer", "tokenizer.json");
  const composed = await EncoderDecoderModel.fromEncoderDecoderPretrained(BERT, BERT, { ...TOKENS, seed: 4 });
  try {
    await composed.savePretrained(join(dir, "model"));
  } finally {
    composed.dispose();
  }
  const model = await EncoderDecoderModel.fromPretrained(join(dir, "model"));
  try {
    // A stop string spanning two generated tokens of the free greedy run (its text is what both sides see).
    const free = await model.generate({ inputIds: ONE.input_ids }, { maxNewTokens: 10 });
    const table = (await StopStringCriteria.fromTokenizer(tokenizer, "x")).tokenStrings;
    const row = free.sequences[0]!;
    const stop = `${table.get(row[3]!)!.slice(-1)}${table.get(row[4]!)!}`.trimStart() || table.get(row[4]!)!;
    cases = [
      { name: "greedy, scores and transitions", ...TWO, kwargs: { max_new_tokens: 8 } },
      {
        name: "beam 3, return 3, scores, beam indices",
        ...TWO,
        kwargs: { num_beams: 3, num_return_sequences: 3, max_new_tokens: 8 },
      },
      {
        name: "beam 4, return 2, length_penalty 2",
        ...ONE,
        kwargs: { num_beams: 4, num_return_sequences: 2, max_new_tokens: 9, length_penalty: 2.0 },
      },
      { name: "greedy, stop_strings", ...ONE, kwargs: { max_new_tokens: 10, stop_strings: [stop] } },
      {
        name: "beam 3, stop_strings",
        ...ONE,
        kwargs: { num_beams: 3, num_return_sequences: 2, max_new_tokens: 10, stop_strings: stop },
      },
      { name: "greedy, prefix_allowed_tokens_fn", ...TWO, prefix_mod3: true, kwargs: { max_new_tokens: 8 } },
      {
        name: "beam 3, prefix_allowed_tokens_fn",
        ...TWO,
        prefix_mod3: true,
        kwargs: { num_beams: 3, num_return_sequences: 2, max_new_tokens: 8 },
      },
      {
        name: "greedy, token_type_ids",
        ...TWO,
        token_type_ids: [
          [0, 0, 0, 1, 1, 1],
          [0, 1, 1, 1, 0, 0],
        ],
        kwargs: { max_new_tokens: 8 },
      },
      {
        name: "beam 2, encoder_outputs given",
        ...TWO,
        encoder_outputs: true,
        kwargs: { num_beams: 2, num_return_sequences: 2, max_new_tokens: 8 },
      },
      {
        name: "greedy, encoder_outputs with token_type_ids",
        ...TWO,
        encoder_outputs: true,
        token_type_ids: [
          [1, 1, 1, 0, 0, 0],
          [0, 1, 0, 1, 0, 0],
        ],
        kwargs: { max_new_tokens: 8 },
      },
    ];
    for (const c of cases) {
      const options = {
        ...(c.prefix_mod3
          ? {
              prefixAllowedTokensFn: (_: number, ids: readonly number[]) =>
                VOCAB.map((_t, v) => v).filter((v) => v % 3 === ids[ids.length - 1]! % 3),
            }
          : {}),
        ...("stop_strings" in c.kwargs ? { tokenizer } : {}),
      };
      let encoderOutputs: { lastHiddenState: tf.Tensor } | undefined;
      if (c.encoder_outputs) {
        encoderOutputs = model.encoder.forward({
          inputIds: c.input_ids,
          ...(c.attention_mask ? { attentionMask: c.attention_mask } : {}),
          ...(c.token_type_ids ? { tokenTypeIds: c.token_type_ids } : {}),
        }) as never;
      }
      const out = await model.generate(
        {
          inputIds: c.input_ids,
          ...(c.attention_mask ? { attentionMask: c.attention_mask } : {}),
          ...(c.token_type_ids && !c.encoder_outputs ? { tokenTypeIds: c.token_type_ids } : {}),
          ...(encoderOutputs ? { encoderOutputs } : {}),
        },
        { ...camelCase(c.kwargs), returnDictInGenerate: true, outputScores: true },
        options,
      );
      encoderOutputs?.lastHiddenState.dispose();
      ours.set(c.name, {
        out,
        transition: model.computeTransitionScores(out.sequences, out.scores!, out.beamIndices, false),
        transitionNormalized: model.computeTransitionScores(out.sequences, out.scores!, out.beamIndices, true),
      });
    }
  } finally {
    model.dispose();
  }
});
after(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("the cases exercise what they are named for", () => {
  const stopped = ours.get("greedy, stop_strings")!.out.sequences[0]!;
  assert.ok(stopped.length < 11, `stopped before max_new_tokens: ${JSON.stringify(stopped)}`);
  for (const name of [
    "beam 3, return 3, scores, beam indices",
    "beam 3, stop_strings",
    "beam 2, encoder_outputs given",
  ]) {
    assert.ok(
      ours
        .get(name)!
        .out.beamIndices!.flat()
        .some((i) => i > 0),
      `${name}: beams other than 0 are used`,
    );
  }
  for (const row of ours.get("greedy, prefix_allowed_tokens_fn")!.out.sequences) {
    for (let t = 1; t < row.length; t++) assert.equal(row[t]! % 3, row[t - 1]! % 3, JSON.stringify(row));
  }
  const typed = ours.get("greedy, token_type_ids")!.out.sequences;
  assert.notDeepEqual(
    typed,
    ours.get("greedy, scores and transitions")!.out.sequences,
    "token_type_ids change the output",
  );
});

for (const line of ORACLE_LINES) {
  test(`transformers ${line}: the same ids, scores, beam indices and transition scores`, () => {
    const oracle = runOracle<{ version: string; results: Record<string, OracleCase> }>(line, "outputs_probe.py", {
      dir: join(dir, "model"),
      tokenizer: tokenizerFile,
      vocab_size: VOCAB.length,
      cases,
    });
    for (const c of cases) {
      const theirs = oracle.results[c.name]!;
      const mine = ours.get(c.name)!;
      const what = `${c.name} (transformers ${oracle.version})`;
      assert.deepEqual(mine.out.sequences, theirs.sequences, what);
      if (theirs.sequences_scores !== undefined) {
        closeWithInf(mine.out.sequencesScores!, theirs.sequences_scores, 1e-4, `${what} sequences_scores`);
      }
      assert.equal(mine.out.scores!.length, theirs.scores.length, `${what} steps`);
      theirs.scores.forEach((step, t) =>
        closeWithInf(Array.from(mine.out.scores![t]!), step, 1e-4, `${what} scores[${t}]`),
      );
      assert.deepEqual(mine.out.beamIndices, theirs.beam_indices, `${what} beam_indices`);
      closeWithInf(mine.transition.flat(), theirs.transition.flat(), 1e-4, `${what} transition`);
      closeWithInf(mine.transitionNormalized.flat(), theirs.transition_normalized.flat(), 1e-4, `${what} normalized`);
    }
  });
}
