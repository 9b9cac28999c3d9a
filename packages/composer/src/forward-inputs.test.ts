// forward's derived decoder inputs and masks, and the inputs it passes to the encoder, as transformers'
// EncoderDecoderModel.forward has them (checked against real transformers in forward-hf.interop.ts).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { EncoderDecoderModel, type Seq2SeqInputs } from "./encoder-decoder-model.js";

const EOS = 40;
const bert = {
  model_type: "bert",
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 20,
  max_position_embeddings: 16,
  initializer_range: 0.3,
};
const gpt2 = {
  model_type: "gpt2",
  vocab_size: 41,
  n_embd: 16,
  n_layer: 1,
  n_head: 2,
  n_positions: 16,
  bos_token_id: EOS,
  eos_token_id: EOS,
  initializer_range: 0.3,
};
let bert2gpt2: EncoderDecoderModel;
let bert2bert: EncoderDecoderModel;

before(async () => {
  await initBackend();
  // BERT2GPT2 recipe: GPT-2 has no pad token, eos is start and pad.
  bert2gpt2 = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, gpt2, {
    decoderStartTokenId: EOS,
    padTokenId: EOS,
    eosTokenId: EOS,
    seed: 1,
  });
  bert2bert = await EncoderDecoderModel.fromEncoderDecoderPretrained(bert, bert, {
    decoderStartTokenId: 2,
    padTokenId: 0,
    eosTokenId: 3,
    seed: 2,
  });
  bert2gpt2.eval();
  bert2bert.eval();
});
after(() => {
  bert2gpt2.dispose();
  bert2bert.dispose();
});

function logits(model: EncoderDecoderModel, inputs: Seq2SeqInputs): number[][][] {
  const out = model.forward(inputs);
  const values = out.logits.arraySync();
  tf.dispose([out.logits, out.loss as tf.Tensor]);
  return values;
}

function maxDiff(a: number[][][], b: number[][][]): number {
  const x = a.flat(2);
  const y = b.flat(2);
  return Math.max(...x.map((v, i) => Math.abs(v - (y[i] as number))));
}

const inputIds = [
  [5, 6, 7, 8],
  [9, 10, 0, 0],
];
const attentionMask = [
  [1, 1, 1, 1],
  [1, 1, 0, 0],
];

test("labels give decoder inputs shifted right and the mask ids != pad, the start token masked when it is pad", () => {
  const labels = [
    [20, 21, 22, EOS],
    [23, 24, -100, -100],
  ];
  const decoderInputIds = [
    [EOS, 20, 21, 22],
    [EOS, 23, 24, EOS],
  ];
  const derived = logits(bert2gpt2, { inputIds, attentionMask, labels });
  const explicit = logits(bert2gpt2, {
    inputIds,
    attentionMask,
    decoderInputIds,
    decoderAttentionMask: [
      [0, 1, 1, 1],
      [0, 1, 1, 0],
    ],
  });
  assert.ok(maxDiff(derived, explicit) < 1e-6);
  const startKept = logits(bert2gpt2, {
    inputIds,
    attentionMask,
    decoderInputIds,
    decoderAttentionMask: [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ],
  });
  assert.ok(maxDiff(derived, startKept) > 1e-3, "masking the start token changes the logits");
});

test("a masked start token's own position sees no decoder token: its logits do not depend on the labels", () => {
  const a = logits(bert2gpt2, {
    inputIds,
    attentionMask,
    labels: [
      [20, 21, 22, EOS],
      [23, 24, 25, EOS],
    ],
  });
  const b = logits(bert2gpt2, {
    inputIds,
    attentionMask,
    labels: [
      [30, 31, 32, EOS],
      [33, 34, 35, EOS],
    ],
  });
  for (let row = 0; row < 2; row++) assert.deepEqual(a[row]?.[0], b[row]?.[0]);
});

test("BERT2BERT (start != pad): only pad positions of the derived decoder inputs are masked", () => {
  const labels = [
    [20, 21, 3, -100],
    [23, 3, -100, -100],
  ];
  const derived = logits(bert2bert, { inputIds, attentionMask, labels });
  const explicit = logits(bert2bert, {
    inputIds,
    attentionMask,
    decoderInputIds: [
      [2, 20, 21, 3],
      [2, 23, 3, 0],
    ],
    decoderAttentionMask: [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ],
  });
  assert.ok(maxDiff(derived, explicit) < 1e-6);
});

test("without an attention mask every input token is attended, pad ids included (nothing is inferred)", () => {
  const decoderInputIds = [
    [2, 20, 21, 22],
    [2, 23, 24, 25],
  ];
  const none = logits(bert2bert, { inputIds, decoderInputIds });
  const ones = logits(bert2bert, {
    inputIds,
    attentionMask: [
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ],
    decoderInputIds,
  });
  assert.ok(maxDiff(none, ones) < 1e-6);
  const padded = logits(bert2bert, { inputIds, attentionMask, decoderInputIds });
  assert.ok(maxDiff(none, padded) > 1e-4);
});

test("tokenTypeIds reach the encoder: all zeros is the default, other segments change the logits", () => {
  const decoderInputIds = [
    [2, 20, 21, 22],
    [2, 23, 24, 25],
  ];
  const none = logits(bert2bert, { inputIds, attentionMask, decoderInputIds });
  const zeros = logits(bert2bert, {
    inputIds,
    attentionMask,
    decoderInputIds,
    tokenTypeIds: [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  });
  assert.ok(maxDiff(none, zeros) < 1e-6);
  const typed = logits(bert2bert, {
    inputIds,
    attentionMask,
    decoderInputIds,
    tokenTypeIds: [
      [0, 0, 1, 1],
      [0, 1, 0, 0],
    ],
  });
  assert.ok(maxDiff(none, typed) > 1e-4);
  assert.throws(
    () =>
      bert2bert.forward({
        inputIds,
        decoderInputIds,
        tokenTypeIds: [
          [0, 2, 0, 0],
          [0, 0, 0, 0],
        ],
      }),
    /type_vocab_size/,
  );
});
