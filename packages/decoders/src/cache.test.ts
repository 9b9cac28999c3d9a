import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, initBackend, tf } from "@warmstart/tensors";
import { maxAbsDiff, sharedSkipReason } from "@warmstart/test-utils";
import { disposeCache, type KeyValueCache, reorderCache } from "@warmstart/modeling";
import { BertLMHeadModel } from "./bert/model.js";
import { GPT2LMHeadModel } from "./gpt2/model.js";
import type { DecoderModel } from "./index.js";
import type { DecoderOutput } from "./decoder-inputs.js";
import { RobertaForCausalLM } from "./roberta/model.js";
import { PARITY, parityCheckpoint } from "./test-support/decoder-parity.js";

const STEPS = 20;

/** Logits of a full forward over `ids` vs. one forward per token with the cache; returns the largest difference. */
function cachedVsFull(
  model: DecoderModel,
  ids: number[][],
  encoder?: { states: tf.Tensor3D; mask: number[][] },
): number {
  const cross =
    encoder === undefined ? {} : { encoderHiddenStates: encoder.states, encoderAttentionMask: encoder.mask };
  const full = model.forward({ inputIds: ids, ...cross });
  const fullData = full.logits.arraySync();
  full.logits.dispose();
  const before = tf.memory().numTensors;
  let past: KeyValueCache | undefined;
  let worst = 0;
  for (let t = 0; t < ids[0]!.length; t++) {
    const step = model.forward({
      inputIds: ids.map((row) => [row[t]!]),
      ...cross,
      pastKeyValues: past,
      useCache: true,
    });
    const got = step.logits.arraySync();
    for (let b = 0; b < ids.length; b++) worst = Math.max(worst, maxAbsDiff(got[b]![0]!, fullData[b]![t]!));
    step.logits.dispose();
    disposeCache(past);
    past = step.pastKeyValues;
  }
  assert.equal(past?.[0]?.selfKey.shape[2], ids[0]!.length, "the cache grows by one position per step");
  disposeCache(past);
  assert.equal(tf.memory().numTensors, before, "incremental decoding leaks no tensors");
  return worst;
}

const skip = sharedSkipReason(PARITY);
const STARTS: Record<string, number> = { gpt2: 999, bert: 101, roberta: 0 };
// The causal-LM class of each parity checkpoint.
const DECODER_CLASSES = { gpt2: GPT2LMHeadModel, bert: BertLMHeadModel, roberta: RobertaForCausalLM } as const;

for (const name of ["gpt2", "bert", "roberta"] as const) {
  for (const withCross of [false, true]) {
    test(
      `${name}: logits with the cache equal logits without it for ${STEPS} steps${withCross ? ", with cross-attention" : ""}`,
      { skip },
      async () => {
        await initBackend({ backend: "wasm" });
        const model: DecoderModel = await DECODER_CLASSES[name].fromPretrained(parityCheckpoint(name), {
          addCrossAttention: withCross,
          seed: 3,
        });
        const random = createRandom(11);
        // Ids 4..999 avoid every pad id, so RoBERTa positions count every token in both computations.
        const ids = [0, 1].map(() => [STARTS[name]!, ...Array.from({ length: STEPS }, () => 4 + random.int(995))]);
        const encoder = withCross
          ? {
              states: random.normal([2, 7, 32], 1) as tf.Tensor3D,
              mask: [
                [1, 1, 1, 1, 1, 1, 1],
                [1, 1, 1, 1, 0, 0, 0],
              ],
            }
          : undefined;
        const worst = cachedVsFull(model, ids, encoder);
        assert.ok(worst <= 1e-5, `cached and full logits differ by ${worst}`);
        encoder?.states.dispose();
        model.dispose();
      },
    );
  }
}

test("reorderCache gathers the rows of every cached tensor, cross-attention included", { skip }, async () => {
  await initBackend({ backend: "wasm" });
  const model = await GPT2LMHeadModel.fromPretrained(parityCheckpoint("gpt2"), { addCrossAttention: true, seed: 1 });
  const states = createRandom(2).normal([2, 3, 32], 1) as tf.Tensor3D;
  const out = model.forward({
    inputIds: [
      [999, 5],
      [999, 6],
    ],
    encoderHiddenStates: states,
    useCache: true,
  });
  const cache = out.pastKeyValues as KeyValueCache;
  const reordered = reorderCache(cache, [1, 1, 0]);
  for (const key of ["selfKey", "selfValue", "crossKey", "crossValue"] as const) {
    const source = cache[1]![key]!.arraySync();
    const result = reordered[1]![key]!.arraySync();
    assert.equal(result.length, 3);
    assert.deepEqual(result[0], source[1]);
    assert.deepEqual(result[1], source[1]);
    assert.deepEqual(result[2], source[0]);
  }
  assert.throws(() => reorderCache(cache, [2]), /outside the cache's 2 rows/);

  const withinInput = reorderCache(cache, [1, 0], { crossAttentionUnchanged: true });
  for (const layer of [0, 1]) {
    assert.deepEqual(withinInput[layer]!.selfKey.arraySync(), [
      cache[layer]!.selfKey.arraySync()[1],
      cache[layer]!.selfKey.arraySync()[0],
    ]);
    assert.deepEqual(
      withinInput[layer]!.crossKey!.arraySync(),
      cache[layer]!.crossKey!.arraySync(),
      "cross entries shared, not gathered",
    );
    assert.deepEqual(withinInput[layer]!.crossValue!.arraySync(), cache[layer]!.crossValue!.arraySync());
  }
  disposeCache(withinInput);
  disposeCache(reordered);
  disposeCache(cache);
  out.logits.dispose();
  states.dispose();
  model.dispose();
});

for (const name of ["gpt2", "bert"] as const) {
  test(
    `${name}: decoder rows sharing encoder rows give the logits of each row attending its own copy, with the cache, and reorder`,
    { skip },
    async () => {
      await initBackend({ backend: "wasm" });
      const model: DecoderModel = await DECODER_CLASSES[name].fromPretrained(parityCheckpoint(name), {
        addCrossAttention: true,
        seed: 5,
      });
      const random = createRandom(13);
      const rowsPerInput = 3;
      // Two inputs, three decoder rows each (beams): rows 0-2 attend input 0, rows 3-5 input 1.
      const ids = Array.from({ length: 2 * rowsPerInput }, () => [
        STARTS[name]!,
        ...Array.from({ length: 5 }, () => 4 + random.int(995)),
      ]);
      const states = random.normal([2, 7, 32], 1) as tf.Tensor3D;
      const mask = [
        [1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0, 0, 0],
      ];
      const copies = tf.gather(states, [0, 0, 0, 1, 1, 1]) as tf.Tensor3D;
      const copiedMask = [0, 0, 0, 1, 1, 1].map((i) => mask[i]!);
      let shared: KeyValueCache | undefined;
      let copied: KeyValueCache | undefined;
      let reorderedMask: number[][] | undefined;
      let worst = 0;
      for (let t = 0; t < ids[0]!.length; t++) {
        const column = ids.map((row) => [row[t]!]);
        const a: DecoderOutput = model.forward({
          inputIds: column,
          encoderHiddenStates: states,
          encoderAttentionMask: reorderedMask ?? mask,
          pastKeyValues: shared,
          useCache: true,
        });
        const b: DecoderOutput = model.forward({
          inputIds: column,
          encoderHiddenStates: copies,
          encoderAttentionMask: reorderedMask ?? copiedMask,
          pastKeyValues: copied,
          useCache: true,
        });
        worst = Math.max(worst, maxAbsDiff(a.logits.dataSync(), b.logits.dataSync()));
        a.logits.dispose();
        b.logits.dispose();
        disposeCache(shared);
        disposeCache(copied);
        shared = a.pastKeyValues;
        copied = b.pastKeyValues;
        if (reorderedMask === undefined) {
          assert.equal(shared?.[0]?.crossKey?.shape[0], 2, "cross keys cached once per encoder row");
        }
        if (t === 2) {
          // Beam reordering within each input (cross keys carried over), and across inputs (gathered per row).
          const within = [2, 2, 0, 4, 3, 3];
          for (const [order, options] of [
            [within, { crossAttentionUnchanged: true }],
            [[5, 0, 1, 2, 3, 4], {}],
          ] as const) {
            const nextShared = reorderCache(shared!, [...order], options);
            const nextCopied = reorderCache(copied!, [...order], options);
            disposeCache(shared);
            disposeCache(copied);
            shared = nextShared;
            copied = nextCopied;
          }
          assert.equal(shared?.[0]?.crossKey?.shape[0], 6, "reordering across inputs expands the cross keys");
          // From here both caches hold one cross row per decoder row: the mask follows the rows' inputs.
          const inputs = [2, 2, 0, 4, 3, 3].map((i) => [5, 0, 1, 2, 3, 4][i]!).map((row) => Math.floor(row / 3));
          reorderedMask = inputs.map((i) => mask[i]!);
        }
      }
      assert.ok(worst <= 1e-5, `shared and copied encoder rows differ by ${worst}`);
      assert.throws(
        () => model.forward({ inputIds: [[1], [2], [3]], encoderHiddenStates: states }),
        /encoderHiddenStates must be \[3 \(or a divisor of it\), sourceLength, 32\], got \[2,7,32\]/,
      );
      disposeCache(shared);
      disposeCache(copied);
      states.dispose();
      copies.dispose();
      model.dispose();
    },
  );
}
