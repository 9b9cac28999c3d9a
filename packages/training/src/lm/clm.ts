import { IGNORE_INDEX } from "@warmstart/core";
import { TrainingError } from "../errors.js";

/**
 * Labels for causal-LM training, as HF's collator with `mlm=False`: the labels are the input ids themselves
 * (the model shifts them by one inside its loss, as GPT2LMHeadModel does), with padding set to
 * {@link IGNORE_INDEX}. Padding is told by the attention mask when given, else by `padTokenId`.
 */
export function causalLmLabels(
  inputIds: readonly (readonly number[])[],
  options: { padTokenId?: number; attentionMask?: readonly (readonly number[])[] },
): number[][] {
  return inputIds.map((row, i) => {
    const mask = options.attentionMask?.[i];
    if (options.attentionMask !== undefined && (mask === undefined || mask.length !== row.length)) {
      throw new TrainingError("INVALID_OPTION", `causalLmLabels: attentionMask row ${i} does not match input row ${i}`);
    }
    return row.map((id, j) => {
      const padded = mask !== undefined ? mask[j] === 0 : options.padTokenId !== undefined && id === options.padTokenId;
      return padded ? IGNORE_INDEX : id;
    });
  });
}

/**
 * Concatenates tokenised documents and cuts them into blocks of `blockSize` ids, dropping the remainder, as
 * HF's `run_clm.py`/`run_mlm.py` `group_texts` does, so no block is padded.
 */
export function groupTexts(documents: readonly (readonly number[])[], blockSize: number): number[][] {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new TrainingError("INVALID_OPTION", `groupTexts: blockSize must be a positive integer, got ${blockSize}`);
  }
  const all = documents.flat();
  const blocks: number[][] = [];
  for (let i = 0; i + blockSize <= all.length; i += blockSize) blocks.push(all.slice(i, i + blockSize));
  return blocks;
}
