// EncoderDecoderModel.forward against real Hugging Face transformers (both lines of oracle/): tiny random
// compositions built here and saved, loaded by transformers' EncoderDecoderModel.from_pretrained (its default
// attention implementation, dropout off), logits and loss compared to 1e-4. Covers the decoder inputs and
// mask derived from labels with -100 (BERT2GPT2: start = pad = eos, so the start token is masked), forward
// without attention masks, explicit decoder masks and non-zero token_type_ids. Run:
//   node --import tsx --test packages/composer/src/forward-hf.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { initBackend } from "@warmstart/tensors";
import { assertClose, maxAbsDiff, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel, type Seq2SeqInputs } from "./encoder-decoder-model.js";
import type { HFConfigJSON } from "./encoder-decoder-config.js";

const TOLERANCE = 1e-4;
const scratch = mkdtempSync(join(tmpdir(), "forward-hf-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

// A wide initialisation, so that logits are O(1) and a wrong mask shows far above the tolerance.
const bert: HFConfigJSON = {
  model_type: "bert",
  vocab_size: 99,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  initializer_range: 0.3,
};
const roberta: HFConfigJSON = {
  model_type: "roberta",
  vocab_size: 99,
  hidden_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  max_position_embeddings: 66,
  type_vocab_size: 1,
  pad_token_id: 1,
  bos_token_id: 0,
  eos_token_id: 2,
  initializer_range: 0.3,
};
// GPT-2 has no pad token: the project's BERT2GPT2 recipe uses eos as pad and decoder start.
const GPT2_EOS = 96;
const gpt2: HFConfigJSON = {
  model_type: "gpt2",
  vocab_size: 97,
  n_embd: 32,
  n_layer: 2,
  n_head: 4,
  n_positions: 64,
  bos_token_id: GPT2_EOS,
  eos_token_id: GPT2_EOS,
  initializer_range: 0.3,
};

interface Composition {
  name: string;
  encoder: HFConfigJSON;
  decoder: HFConfigJSON;
  tokens: { decoderStartTokenId: number; padTokenId: number; eosTokenId: number };
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds?: number[][];
  labels: number[][];
  decoderInputIds: number[][];
  decoderAttentionMask: number[][];
}

const bertInputs = {
  inputIds: [
    [5, 6, 7, 8, 9],
    [10, 11, 12, 0, 0],
  ],
  attentionMask: [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
  ],
  tokenTypeIds: [
    [0, 0, 1, 1, 1],
    [0, 1, 1, 0, 0],
  ],
};
const gpt2Labels = {
  labels: [
    [20, 21, 22, 23, GPT2_EOS],
    [24, 25, GPT2_EOS, -100, -100],
  ],
  decoderInputIds: [
    [GPT2_EOS, 30, 31, 32, 33],
    [GPT2_EOS, 34, 35, GPT2_EOS, GPT2_EOS],
  ],
  decoderAttentionMask: [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
  ],
};
const gpt2Tokens = { decoderStartTokenId: GPT2_EOS, padTokenId: GPT2_EOS, eosTokenId: GPT2_EOS };

const COMPOSITIONS: Composition[] = [
  {
    name: "bert2bert",
    encoder: bert,
    decoder: bert,
    tokens: { decoderStartTokenId: 2, padTokenId: 0, eosTokenId: 3 },
    ...bertInputs,
    labels: [
      [20, 21, 22, 23, 3],
      [24, 25, 3, -100, -100],
    ],
    decoderInputIds: [
      [2, 30, 31, 32, 33],
      [2, 34, 35, 0, 0],
    ],
    decoderAttentionMask: [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
    ],
  },
  { name: "bert2gpt2", encoder: bert, decoder: gpt2, tokens: gpt2Tokens, ...bertInputs, ...gpt2Labels },
  {
    name: "roberta2gpt2",
    encoder: roberta,
    decoder: gpt2,
    tokens: gpt2Tokens,
    inputIds: [
      [0, 5, 6, 7, 2],
      [0, 8, 2, 1, 1],
    ],
    attentionMask: [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
    ],
    ...gpt2Labels,
  },
];

/** One forward call, in the project's names (pythonInputs gives transformers' keyword arguments). */
interface Case {
  what: string;
  inputs: Seq2SeqInputs;
}

function casesOf(c: Composition): Case[] {
  const { inputIds, attentionMask, labels, decoderInputIds, decoderAttentionMask } = c;
  const cases: Case[] = [
    {
      what: "labels with -100, attention mask (decoder inputs and mask derived)",
      inputs: { inputIds, attentionMask, labels },
    },
    { what: "labels, no attention mask", inputs: { inputIds, labels } },
    {
      what: "decoder inputs and decoder mask given",
      inputs: { inputIds, attentionMask, decoderInputIds, decoderAttentionMask },
    },
    { what: "decoder inputs, no masks at all", inputs: { inputIds, decoderInputIds } },
    { what: "labels and an explicit decoder mask", inputs: { inputIds, attentionMask, labels, decoderAttentionMask } },
  ];
  if (c.tokenTypeIds !== undefined) {
    cases.push({
      what: "non-zero token_type_ids",
      inputs: { inputIds, attentionMask, tokenTypeIds: c.tokenTypeIds, labels },
    });
  }
  return cases;
}

function pythonInputs(inputs: Seq2SeqInputs): Record<string, number[][]> {
  const names: Record<string, string> = {
    inputIds: "input_ids",
    attentionMask: "attention_mask",
    tokenTypeIds: "token_type_ids",
    labels: "labels",
    decoderInputIds: "decoder_input_ids",
    decoderAttentionMask: "decoder_attention_mask",
  };
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [names[k] as string, v as number[][]]));
}

interface Outcome {
  logits: Float32Array;
  loss: number | null;
}

function project(model: EncoderDecoderModel, inputs: Seq2SeqInputs): Outcome {
  const out = model.forward(inputs);
  const logits = out.logits.dataSync() as Float32Array;
  const loss = out.loss === undefined ? null : (out.loss.dataSync()[0] as number);
  out.logits.dispose();
  out.loss?.dispose();
  return { logits: Float32Array.from(logits), loss };
}

const models = new Map<string, { model: EncoderDecoderModel; dir: string }>();

before(async () => {
  await initBackend();
  for (const c of COMPOSITIONS) {
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(c.encoder, c.decoder, {
      ...c.tokens,
      seed: 3,
    });
    model.eval();
    const dir = join(scratch, c.name);
    await model.savePretrained(dir);
    models.set(c.name, { model, dir });
  }
});
after(() => {
  for (const { model } of models.values()) model.dispose();
});

for (const line of ORACLE_LINES) {
  test(`forward matches transformers ${line}: logits and loss (labels with -100, masks, token types) to ${TOLERANCE}`, (t) => {
    const planned = COMPOSITIONS.flatMap((c) => casesOf(c).map((k) => ({ c, k })));
    const answer = runOracle<{ version: string; forward: { logits: number[][][]; loss: number | null }[] }>(
      line,
      "forward_probe.py",
      {
        forward: planned.map(({ c, k }) => ({
          model: (models.get(c.name) as { dir: string }).dir,
          inputs: pythonInputs(k.inputs),
        })),
      },
    );
    let worstLogits = 0;
    let worstLoss = 0;
    planned.forEach(({ c, k }, i) => {
      const expected = answer.forward[i] as { logits: number[][][]; loss: number | null };
      const actual = project((models.get(c.name) as { model: EncoderDecoderModel }).model, k.inputs);
      const what = `${c.name}, ${k.what} (transformers ${answer.version})`;
      assertClose(actual.logits, expected.logits.flat(2), TOLERANCE, `${what}: logits`);
      worstLogits = Math.max(worstLogits, maxAbsDiff(actual.logits, expected.logits.flat(2)));
      if (actual.loss !== null && expected.loss !== null) {
        worstLoss = Math.max(worstLoss, Math.abs(actual.loss - expected.loss));
      }
      assert.equal(actual.loss === null, expected.loss === null, `${what}: loss presence`);
      if (actual.loss !== null && expected.loss !== null) {
        assert.ok(
          Math.abs(actual.loss - expected.loss) <= TOLERANCE,
          `${what}: loss ${actual.loss} vs ${expected.loss}`,
        );
      }
    });
    t.diagnostic(
      `transformers ${answer.version}: ${planned.length} cases, max |logits diff| ${worstLogits}, max |loss diff| ${worstLoss}`,
    );
  });
}

test("the comparison tells the masks apart: BERT2GPT2 with the start token unmasked is far from transformers", (t) => {
  const c = COMPOSITIONS[1] as Composition;
  const { model } = models.get(c.name) as { model: EncoderDecoderModel };
  const derived = project(model, { inputIds: c.inputIds, attentionMask: c.attentionMask, labels: c.labels });
  // The decoder inputs the labels shift into, with the mask the project used to derive (position 0 always 1).
  const shifted = c.labels.map((row) => [GPT2_EOS, ...row.slice(0, -1)].map((id) => (id === -100 ? GPT2_EOS : id)));
  const startUnmasked = shifted.map((row) => row.map((id, t) => (t === 0 || id !== GPT2_EOS ? 1 : 0)));
  const old = project(model, {
    inputIds: c.inputIds,
    attentionMask: c.attentionMask,
    labels: c.labels,
    decoderAttentionMask: startUnmasked,
  });
  let worst = 0;
  derived.logits.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (old.logits[i] as number)))));
  t.diagnostic(`start token unmasked vs derived: max |logits diff| ${worst}, loss ${old.loss} vs ${derived.loss}`);
  assert.ok(worst > 100 * TOLERANCE, `derived and start-unmasked logits differ by only ${worst}`);
});
