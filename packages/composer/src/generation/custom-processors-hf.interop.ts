// generate()'s user logits processors and stopping criteria against real transformers' `logits_processor=` /
// `stopping_criteria=` (both oracle lines, oracle/generation_probe.py's "custom"): a tiny random BERT2BERT composed
// and saved by this project, transformers generating from the folder with the same processors and criteria built
// from its own classes. The banned tokens and the replacement eos are taken from what plain generation writes, so
// each case changes the output (checked here, not assumed), and the ids must match exactly, beam scores to 1e-4.
// Diverse and constrained beam search are compared with transformers 4.56 (oracle/strategies_probe.py), the last
// release with them in its core. Sampling draws differ between PyTorch's generator and this project's, so sampled
// cases stay in the unit tests (custom-processors.test.ts).
// Runs under `pnpm test:interop` (never under `pnpm test`).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { assertClose, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import type { GenerateOptions, GenerateOutput } from "./generate.js";
import { NoBadWordsLogitsProcessor, type LogitsProcessor } from "./logits-processors.js";
import { EosTokenCriteria, MaxLengthCriteria, type StoppingCriteria } from "./stopping-criteria.js";
import { camelCase, TINY_BERT, TINY_TOKENS, TWO_INPUTS } from "./test-support/oracle-fixtures.js";

/** A transformers class and its constructor's keyword arguments: built in Python by name, here by `build`. */
interface Spec {
  class: "NoBadWordsLogitsProcessor" | "MaxLengthCriteria" | "EosTokenCriteria";
  kwargs: Record<string, unknown>;
}

interface Case {
  name: string;
  kwargs: Record<string, unknown>;
  custom: { logits_processor?: Spec[]; stopping_criteria?: Spec[] };
}

interface OracleResult {
  version: string;
  checkpoints: { results: Record<string, { sequences: number[][]; sequences_scores?: number[] }> }[];
}

function build(spec: Spec): LogitsProcessor | StoppingCriteria {
  const k = spec.kwargs;
  switch (spec.class) {
    case "NoBadWordsLogitsProcessor":
      return new NoBadWordsLogitsProcessor(k.bad_words_ids as number[][], [k.eos_token_id as number]);
    case "MaxLengthCriteria":
      return new MaxLengthCriteria(k.max_length as number);
    case "EosTokenCriteria":
      return new EosTokenCriteria([k.eos_token_id as number]);
  }
}

function optionsOf(c: Case): GenerateOptions {
  return {
    ...(c.custom.logits_processor !== undefined
      ? { logitsProcessors: c.custom.logits_processor.map(build) as LogitsProcessor[] }
      : {}),
    ...(c.custom.stopping_criteria !== undefined
      ? { stoppingCriteria: c.custom.stopping_criteria.map(build) as StoppingCriteria[] }
      : {}),
  };
}

const inputs = { inputIds: TWO_INPUTS.input_ids, attentionMask: TWO_INPUTS.attention_mask };
const eos = TINY_TOKENS.eosTokenId;
const greedy = { max_new_tokens: 10 };
const beam = { num_beams: 3, num_return_sequences: 2, max_new_tokens: 10 };
const group = { num_beams: 4, num_beam_groups: 2, diversity_penalty: 0.5, num_return_sequences: 2, max_new_tokens: 10 };

let dir: string;
let cases: Case[] = [];
/** Diverse and constrained beam search: transformers 4.56. */
let legacyCases: Case[] = [];
const plain = new Map<string, GenerateOutput>();
const ours = new Map<string, GenerateOutput>();

before(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), "custom-processors-hf-"));
  const composed = await EncoderDecoderModel.fromEncoderDecoderPretrained(TINY_BERT, TINY_BERT, {
    ...TINY_TOKENS,
    seed: 1,
  });
  try {
    await composed.savePretrained(dir);
  } finally {
    composed.dispose();
  }
  const model = await EncoderDecoderModel.fromPretrained(dir);
  try {
    for (const [name, kwargs] of Object.entries({ greedy, beam, group })) {
      plain.set(name, await model.generate(inputs, camelCase(kwargs)));
    }
    // What the plain runs write first and second in row 0 (after the start token): banned below, one alone and one
    // as the second token of a two-token bad word.
    const g = plain.get("greedy")!.sequences[0]!;
    const b = plain.get("beam")!.sequences[0]!;
    const noBad = (row: number[]): Spec => ({
      class: "NoBadWordsLogitsProcessor",
      kwargs: { bad_words_ids: [[row[1]!], [row[2]!, row[3]!]], eos_token_id: eos },
    });
    // A token the plain greedy row writes before its end, not eos: made the only eos of the stopping criteria.
    const stopToken = g.slice(2).find((t) => t !== eos && t !== TINY_TOKENS.padTokenId)!;
    const shorter: Spec = { class: "MaxLengthCriteria", kwargs: { max_length: 6 } };
    cases = [
      { name: "greedy, NoBadWordsLogitsProcessor", kwargs: greedy, custom: { logits_processor: [noBad(g)] } },
      { name: "beam 3, NoBadWordsLogitsProcessor", kwargs: beam, custom: { logits_processor: [noBad(b)] } },
      {
        name: "greedy, MaxLengthCriteria(6) replaces max_new_tokens'",
        kwargs: greedy,
        custom: { stopping_criteria: [shorter] },
      },
      {
        name: "beam 3, MaxLengthCriteria(6) replaces max_new_tokens'",
        kwargs: beam,
        custom: { stopping_criteria: [shorter] },
      },
      {
        name: "greedy, EosTokenCriteria of another token replaces eos 5's",
        kwargs: greedy,
        custom: { stopping_criteria: [{ class: "EosTokenCriteria", kwargs: { eos_token_id: stopToken } }] },
      },
      {
        name: "beam 3, both",
        kwargs: beam,
        custom: { logits_processor: [noBad(b)], stopping_criteria: [shorter] },
      },
    ];
    const gr = plain.get("group")!.sequences[0]!;
    // Constrained: the forced word is one plain beam search does not write in row 0.
    const forced = [3, 4, 6, 7, 8, 9, 10].find((t) => !b.includes(t))!;
    const constrained = { ...beam, force_words_ids: [[forced]] };
    plain.set("constrained", await model.generate(inputs, camelCase(constrained)));
    const c0 = plain.get("constrained")!.sequences[0]!;
    legacyCases = [
      { name: "group beam, NoBadWordsLogitsProcessor", kwargs: group, custom: { logits_processor: [noBad(gr)] } },
      { name: "group beam, MaxLengthCriteria(6)", kwargs: group, custom: { stopping_criteria: [shorter] } },
      {
        name: "constrained beam, NoBadWordsLogitsProcessor",
        kwargs: constrained,
        custom: { logits_processor: [noBad(c0.filter((t) => t !== forced))] },
      },
      { name: "constrained beam, MaxLengthCriteria(6)", kwargs: constrained, custom: { stopping_criteria: [shorter] } },
    ];
    for (const c of [...cases, ...legacyCases]) {
      ours.set(c.name, await model.generate(inputs, camelCase(c.kwargs), optionsOf(c)));
    }
  } finally {
    model.dispose();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("every case changes what plain generation writes", () => {
  for (const c of [...cases, ...legacyCases]) {
    const base = plain.get(c.name.split(/[ ,]/)[0]!)!;
    assert.notDeepEqual(ours.get(c.name)!.sequences, base.sequences, c.name);
  }
});

for (const line of ORACLE_LINES) {
  test(`transformers ${line}: user processors and criteria give the same ids (and beam scores within 1e-4)`, () => {
    const oracle = runOracle<OracleResult>(line, "generation_probe.py", {
      checkpoints: [
        {
          dir,
          cases: cases.map((c) => ({ name: c.name, ...TWO_INPUTS, kwargs: c.kwargs, custom: c.custom })),
        },
      ],
    });
    const results = oracle.checkpoints[0]!.results;
    for (const c of cases) {
      const theirs = results[c.name]!;
      const mine = ours.get(c.name)!;
      const what = `${c.name} (transformers ${oracle.version})`;
      assert.deepEqual(mine.sequences, theirs.sequences, what);
      if (theirs.sequences_scores !== undefined) {
        assertClose(mine.sequencesScores!, theirs.sequences_scores, 1e-4, `${what} scores`);
      }
    }
  });
}

test("transformers 4.56: diverse and constrained beam search with user processors and criteria, the same ids", () => {
  const oracle = runOracle<OracleResult>(
    "v4",
    "strategies_probe.py",
    {
      checkpoints: [
        { dir, cases: legacyCases.map((c) => ({ name: c.name, ...TWO_INPUTS, kwargs: c.kwargs, custom: c.custom })) },
      ],
    },
    ["--transformers-4.56"],
  );
  assert.equal(oracle.version, "4.56.2");
  const results = oracle.checkpoints[0]!.results;
  for (const c of legacyCases) {
    const theirs = results[c.name]!;
    const mine = ours.get(c.name)!;
    assert.deepEqual(mine.sequences, theirs.sequences, c.name);
    if (theirs.sequences_scores !== undefined) {
      assertClose(mine.sequencesScores!, theirs.sequences_scores, 1e-4, c.name);
    }
  }
});
