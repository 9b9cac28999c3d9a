import type { SeededRandom } from "@warmstart/core";
import { GenerationError } from "../errors.js";

/**
 * Draws `count` distinct indices of `probabilities` (non-negative weights, not necessarily summing to 1), each draw
 * with probability proportional to its weight among the indices not drawn yet — `torch.multinomial(probs,
 * num_samples=count)` without replacement, which transformers uses for sampling (one index per row) and for beam
 * sampling (the candidates of an input over all its beams). Returns the indices in the order drawn.
 *
 * `generate(..., { sampler })` replaces the default seeded one, e.g. to replay draws made elsewhere.
 */
export type CandidateSampler = (probabilities: Float64Array, count: number) => number[];

/** The default sampler: sequential weighted draws without replacement, from one seeded uniform stream. */
export function multinomialSampler(random: Pick<SeededRandom, "float">): CandidateSampler {
  return (probabilities, count) => {
    const weights = Float64Array.from(probabilities);
    let possible = 0;
    for (const w of weights) if (w > 0) possible++;
    if (possible < count) {
      // torch.multinomial raises here too ("not enough non-negative category to sample").
      throw new GenerationError(
        "INVALID_CONFIG",
        `sampling needs ${count} distinct candidates but only ${possible} have a non-zero probability: with beam ` +
          "sampling each step draws max(2, 1 + number of eos ids) * numBeams candidates per input, so loosen the " +
          "filtering warpers (raise topK / topP, lower minP / epsilonCutoff / etaCutoff) or use fewer beams",
      );
    }
    const drawn: number[] = [];
    for (let d = 0; d < count; d++) {
      let total = 0;
      for (const w of weights) if (w > 0) total += w;
      const u = random.float() * total;
      let cumulative = 0;
      let pick = -1;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i]!;
        if (w <= 0) continue;
        pick = i;
        cumulative += w;
        if (u < cumulative) break;
      }
      // Rounding can leave the cumulative sum just below u: `pick` is then the last possible index.
      drawn.push(pick);
      weights[pick] = 0;
    }
    return drawn;
  };
}
