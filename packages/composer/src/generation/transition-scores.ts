import { GenerationError } from "./errors.js";

/**
 * The score of every generated token, as transformers' `compute_transition_scores`: `[sequences][steps]`, from
 * `generate()`'s `scores` (one row-major `[rows, vocabSize]` matrix per step) and, for beam search, its
 * `beamIndices` (which row of each step's scores a token came from; -1 after the sequence ended). Without
 * `beamIndices` row `r` of every step belongs to sequence `r` (greedy search, sampling). `normalizeLogits` applies a
 * log-softmax over the vocabulary first. Columns are cut to the longest beam (the count of indices >= 0), the last
 * columns of `sequences` are the tokens looked up, and positions after a sequence ended are 0.
 * `vocabSize` may be left out without `beamIndices` (it is then `scores[0].length / sequences.length`).
 */
export function computeTransitionScores(
  sequences: readonly (readonly number[])[],
  scores: readonly Float32Array[],
  beamIndices?: readonly (readonly number[])[] | null,
  normalizeLogits = false,
  vocabSize?: number,
): number[][] {
  if (scores.length === 0) {
    throw new GenerationError("INVALID_INPUTS", "computeTransitionScores needs the scores of at least one step");
  }
  const vocab =
    vocabSize ?? (beamIndices === undefined || beamIndices === null ? scores[0]!.length / sequences.length : undefined);
  if (vocab === undefined || !Number.isInteger(vocab) || vocab <= 0 || scores[0]!.length % vocab !== 0) {
    throw new GenerationError(
      "INVALID_INPUTS",
      "computeTransitionScores: pass vocabSize (the decoder's vocabulary size) with beamIndices, or matching scores",
    );
  }
  const rows = scores[0]!.length / vocab;
  const indices: number[][] =
    beamIndices === undefined || beamIndices === null
      ? sequences.map((_, r) => scores.map(() => r))
      : beamIndices.map((row) => [...row]);
  const steps: Float64Array[] = scores.map((step) => {
    const out = Float64Array.from(step);
    if (normalizeLogits) {
      for (let r = 0; r < rows; r++) {
        const start = r * vocab;
        let max = -Infinity;
        for (let v = 0; v < vocab; v++) max = Math.max(max, out[start + v]!);
        let total = 0;
        for (let v = 0; v < vocab; v++) total += Math.exp(out[start + v]! - max);
        const logTotal = max + Math.log(total);
        for (let v = 0; v < vocab; v++) out[start + v] = out[start + v]! - logTotal;
      }
    }
    return out;
  });
  const longest = Math.max(...indices.map((row) => row.filter((i) => i >= 0).length));
  return sequences.map((sequence, s) => {
    const row = indices[s]!;
    const cut = sequence.length - longest;
    return Array.from({ length: longest }, (_, t) => {
      const beam = row[t] ?? -1;
      if (beam < 0) return 0;
      const step = steps[t];
      if (step === undefined || beam >= rows) {
        throw new GenerationError(
          "INVALID_INPUTS",
          `computeTransitionScores: step ${t} / row ${beam} is not in scores`,
        );
      }
      return step[beam * vocab + sequence[cut + t]!]!;
    });
  });
}
