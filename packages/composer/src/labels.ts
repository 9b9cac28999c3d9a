import { IGNORE_INDEX } from "@warmstart/core";
import { ComposerError } from "./errors.js";

/** Checks that `ids` is a non-empty rectangular batch of integers and returns its [batch, length]. */
export function batchShape(ids: readonly (readonly number[])[], what: string): [number, number] {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ComposerError("INVALID_INPUT", `${what}: expected a non-empty batch of rows ([batch][position])`);
  }
  const length = ids[0]?.length ?? 0;
  if (length === 0) throw new ComposerError("INVALID_INPUT", `${what}: rows must not be empty`);
  ids.forEach((row, b) => {
    if (!Array.isArray(row) || row.length !== length) {
      throw new ComposerError(
        "INVALID_INPUT",
        `${what}: row ${b} has ${row?.length} entries, row 0 has ${length}; pad the batch to one length`,
      );
    }
    row.forEach((id, t) => {
      if (!Number.isInteger(id)) {
        throw new ComposerError("INVALID_INPUT", `${what}[${b}][${t}] is ${id}, expected an integer id`);
      }
    });
  });
  return [ids.length, length];
}

/** Labels must be ids of the decoder's vocabulary or IGNORE_INDEX; anything else would index past the logits. */
export function validateLabels(labels: readonly (readonly number[])[], vocabSize: number): void {
  batchShape(labels, "labels");
  labels.forEach((row, b) =>
    row.forEach((id, t) => {
      if (id !== IGNORE_INDEX && (id < 0 || id >= vocabSize)) {
        throw new ComposerError(
          "LABEL_OUT_OF_VOCAB",
          `labels[${b}][${t}] is ${id}, outside the decoder vocabulary [0, ${vocabSize}) (decoder config vocab_size ${vocabSize}); use ${IGNORE_INDEX} for positions the loss should skip — do the labels come from the decoder's tokenizer?`,
        );
      }
    }),
  );
}

/**
 * Attention mask for decoder inputs derived from labels, as transformers' EncoderDecoderModel.forward (4.x
 * and 5.x) derives it: 1 wherever the id is not the pad id, 0 where it is. When the start token is the pad
 * id (GPT-2 recipes use one id for start, pad and eos) the start position is masked too: later positions
 * do not attend to it, and its own query has no key left, which the attention turns into a zero output
 * (what PyTorch's scaled_dot_product_attention, transformers' default, gives a fully masked row).
 */
export function derivedDecoderAttentionMask(
  decoderInputIds: readonly (readonly number[])[],
  padTokenId: number,
): number[][] {
  return decoderInputIds.map((row) => row.map((id) => (id !== padTokenId ? 1 : 0)));
}
