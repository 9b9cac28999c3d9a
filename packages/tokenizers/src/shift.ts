import { TokenizerError } from "./errors.js";

/**
 * transformers' `shift_tokens_right`: decoder inputs made from labels by prepending
 * `decoderStartTokenId`, dropping the last column and turning -100 back into `padTokenId`.
 * The convention of current `EncoderDecoderModel`: the loss compares position t with label t.
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
    if (!Number.isInteger(value) || value < 0) {
      throw new TokenizerError("INVALID_OPTION", `shiftTokensRight: ${name} must be a token id, got ${String(value)}`);
    }
  }
  return labels.map((row) => {
    const out = [decoderStartTokenId];
    for (let i = 0; i < row.length - 1; i++) {
      const id = row[i] as number;
      out.push(id === -100 ? padTokenId : id);
    }
    return row.length === 0 ? [] : out;
  });
}
