import { softmaxRow } from "../numeric.js";
import type { SeededRandom } from "../random.js";
import type { SearchContext, SearchOutput } from "./context.js";
import { tokenByTokenSearch } from "./token-by-token.js";

/** Draws one token from the softmax of the processed scores with a uniform number from `random`. */
export function sampleToken(random: SeededRandom, scores: Float64Array, start: number, vocabSize: number): number {
  const probs = softmaxRow(scores, start, vocabSize);
  const u = random.next();
  let cumulative = 0;
  let lastPossible = 0;
  for (let token = 0; token < vocabSize; token++) {
    const p = probs[token]!;
    if (p <= 0) continue;
    lastPossible = token;
    cumulative += p;
    if (u < cumulative) return token;
  }
  // Rounding can leave the cumulative sum just below u; fall back to the last token with non-zero probability.
  return lastPossible;
}

/**
 * Multinomial sampling from the processed (temperature / top-k / top-p) distribution; `samplesPerInput` rows per
 * input. Rows draw in row order from one generator, so a seed fixes every sample.
 */
export function sampleSearch<E, C>(
  ctx: SearchContext<E, C>,
  random: SeededRandom,
  samplesPerInput: number,
): Promise<SearchOutput> {
  return tokenByTokenSearch(ctx, (scores, start, vocabSize) => sampleToken(random, scores, start, vocabSize), samplesPerInput);
}
