import { WarmstartError } from "./errors.js";

/**
 * The label value the loss skips: PyTorch's `CrossEntropyLoss(ignore_index=-100)` default, which transformers'
 * models and data collators use for padding and for positions without a target.
 */
export const IGNORE_INDEX = -100;

/** Why {@link shiftTokensRight} refused its input. */
export type LabelErrorCode = "INVALID_TOKEN_ID" | "INVALID_LABELS";

/** Labels or special-token ids that cannot be shifted; the message names the argument and the value. */
export class LabelError extends WarmstartError<LabelErrorCode> {
  override readonly name = "LabelError";
}

/**
 * transformers' `shift_tokens_right(input_ids, pad_token_id, decoder_start_token_id)`, in its argument order:
 * decoder inputs for teacher forcing, made from labels by prepending `decoderStartTokenId`, dropping the last
 * column and turning {@link IGNORE_INDEX} back into `padTokenId` so that every id is a valid embedding index.
 * With it the loss compares decoder position t with label t. An empty row stays empty.
 */
export function shiftTokensRight(
  labels: readonly (readonly number[])[],
  padTokenId: number,
  decoderStartTokenId: number,
): number[][] {
  for (const [name, value] of [
    ["padTokenId", padTokenId],
    ["decoderStartTokenId", decoderStartTokenId],
  ] as const) {
    // transformers raises when pad_token_id is None; here any non-id is refused before it reaches an embedding.
    if (!Number.isInteger(value) || value < 0) {
      throw new LabelError(
        "INVALID_TOKEN_ID",
        `shiftTokensRight: ${name} must be a token id (an integer >= 0), got ${String(value)}`,
      );
    }
  }
  if (!Array.isArray(labels)) {
    throw new LabelError("INVALID_LABELS", "shiftTokensRight: labels must be an array of rows of token ids");
  }
  return labels.map((row, b) => {
    if (!Array.isArray(row)) {
      throw new LabelError("INVALID_LABELS", `shiftTokensRight: labels[${b}] must be an array of token ids`);
    }
    if (row.length === 0) return [];
    const out = [decoderStartTokenId];
    // The last label is dropped, but checked too: a bad id anywhere means the labels are not token ids.
    for (let t = 0; t < row.length; t++) {
      const id = row[t] as number;
      if (!Number.isInteger(id) || (id < 0 && id !== IGNORE_INDEX)) {
        throw new LabelError(
          "INVALID_LABELS",
          `shiftTokensRight: labels[${b}][${t}] is ${String(id)}, expected a token id (an integer >= 0) or ${IGNORE_INDEX}`,
        );
      }
      if (t < row.length - 1) out.push(id === IGNORE_INDEX ? padTokenId : id);
    }
    return out;
  });
}
