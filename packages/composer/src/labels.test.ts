import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { shiftTokensRight } from "@warmstart/core";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { ComposerError } from "./errors.js";
import { derivedDecoderAttentionMask, validateLabels } from "./labels.js";

interface LossGolden {
  labels: number[][];
  derived_decoder_input_ids: number[][];
  derived_decoder_attention_mask: number[][];
}

test(
  "labels shift right into the goldens' decoder inputs and mask",
  { skip: sharedSkipReason("fixtures/parity") },
  () => {
    for (const name of ["bert2bert", "robertashare"]) {
      const goldens = JSON.parse(
        readFileSync(sharedPath("fixtures/parity", name, "goldens.json") as string, "utf8"),
      ) as {
        loss: LossGolden;
        special_tokens: { decoder_start_token_id: number; pad_token_id: number };
      };
      const { decoder_start_token_id: start, pad_token_id: pad } = goldens.special_tokens;
      const ids = shiftTokensRight(goldens.loss.labels, pad, start);
      assert.deepEqual(ids, goldens.loss.derived_decoder_input_ids, name);
      assert.deepEqual(derivedDecoderAttentionMask(ids, pad), goldens.loss.derived_decoder_attention_mask, name);
    }
  },
);

test("the derived mask is ids != pad, as transformers derives it: a start token equal to pad is masked too (GPT-2 recipes)", () => {
  assert.deepEqual(derivedDecoderAttentionMask([[7, 5, 7, 7]], 7), [[0, 1, 0, 0]]);
  assert.deepEqual(derivedDecoderAttentionMask([[101, 5, 0, 0]], 0), [[1, 1, 0, 0]]);
});

test("labels outside the decoder vocabulary are rejected with the position and the vocab size", () => {
  validateLabels([[1, 2, -100]], 3);
  assert.throws(
    () =>
      validateLabels(
        [
          [1, 2],
          [3, -100],
        ],
        3,
      ),
    (e: unknown) =>
      e instanceof ComposerError &&
      e.code === "LABEL_OUT_OF_VOCAB" &&
      /labels\[1\]\[0\] is 3/.test(e.message) &&
      /vocab_size 3/.test(e.message),
  );
  assert.throws(
    () => validateLabels([[-1]], 3),
    (e: unknown) => e instanceof ComposerError && e.code === "LABEL_OUT_OF_VOCAB",
  );
  assert.throws(
    () => validateLabels([[1, 2], [1]], 3),
    (e: unknown) => e instanceof ComposerError && e.code === "INVALID_INPUT",
  );
});
