import { IGNORE_INDEX, SeededRandom } from "@warmstart/core";
import { TrainingError } from "../errors.js";

export interface MaskTokensOptions {
  maskTokenId: number;
  /** Random replacements are drawn uniformly from [0, vocabSize), as HF's collator draws from the vocabulary. */
  vocabSize: number;
  /** Ids never chosen for prediction: [CLS], [SEP], <s>, </s>, padding, … */
  specialTokenIds: Iterable<number>;
  /** Share of (non-special) tokens chosen for prediction; default 0.15. */
  probability?: number;
  /** Of the chosen tokens: share replaced by the mask token (0.8), by a random token (0.1); the rest are kept. */
  maskShare?: number;
  randomShare?: number;
  /** A seed, or a generator to continue (its state advances). */
  rng: number | SeededRandom;
}

export interface MaskedBatch {
  inputIds: number[][];
  /** The original id where a token was chosen, {@link IGNORE_INDEX} elsewhere. */
  labels: number[][];
}

/**
 * BERT's masked-LM corruption, as HF's DataCollatorForLanguageModeling: each non-special token is chosen with
 * probability 0.15; a chosen token becomes the mask token with probability 0.8, a random token with 0.1, and
 * stays with 0.1. Returns new arrays; the input is not modified.
 */
export function maskTokens(batch: readonly (readonly number[])[], options: MaskTokensOptions): MaskedBatch {
  const probability = options.probability ?? 0.15;
  const maskShare = options.maskShare ?? 0.8;
  const randomShare = options.randomShare ?? 0.1;
  if (
    !(probability >= 0 && probability <= 1) ||
    !(maskShare >= 0 && randomShare >= 0 && maskShare + randomShare <= 1)
  ) {
    throw new TrainingError(
      "INVALID_OPTION",
      `maskTokens: probability must be in [0, 1] and maskShare + randomShare <= 1 (got ${probability}, ${maskShare}, ${randomShare})`,
    );
  }
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < 1) {
    throw new TrainingError(
      "INVALID_OPTION",
      `maskTokens: vocabSize must be a positive integer, got ${options.vocabSize}`,
    );
  }
  const special = new Set(options.specialTokenIds);
  const rng = typeof options.rng === "number" ? new SeededRandom(options.rng) : options.rng;
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (const row of batch) {
    const ids = row.slice();
    const lab = new Array<number>(row.length).fill(IGNORE_INDEX);
    for (let j = 0; j < row.length; j++) {
      const id = row[j] as number;
      // Draw for every position, special or not, so the stream of draws does not depend on the vocabulary.
      const chosen = rng.float() < probability;
      if (special.has(id) || !chosen) continue;
      lab[j] = id;
      const action = rng.float();
      if (action < maskShare) ids[j] = options.maskTokenId;
      else if (action < maskShare + randomShare) ids[j] = rng.int(options.vocabSize);
    }
    inputIds.push(ids);
    labels.push(lab);
  }
  return { inputIds, labels };
}
