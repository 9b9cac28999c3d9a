import { softmaxRow } from "../numeric.js";
import type { SearchContext, SearchOutput } from "./context.js";
import type { CandidateSampler } from "./sampler.js";
import { tokenByTokenSearch } from "./token-by-token.js";

/** Draws one token from the softmax of the processed scores `scores[start, start + vocabSize)`. */
export function sampleToken(sampler: CandidateSampler, scores: Float64Array, start: number, vocabSize: number): number {
  return sampler(softmaxRow(scores, start, vocabSize), 1)[0]!;
}

/**
 * Multinomial sampling from the processed (temperature / top-k / top-p ...) distribution; `samplesPerInput` rows
 * per input. Rows draw in row order from one sampler, so a seeded sampler fixes every sample.
 */
export function sampleSearch<E, C>(
  ctx: SearchContext<E, C>,
  sampler: CandidateSampler,
  samplesPerInput: number,
): Promise<SearchOutput> {
  return tokenByTokenSearch(
    ctx,
    (scores, start, vocabSize) => sampleToken(sampler, scores, start, vocabSize),
    samplesPerInput,
  );
}
