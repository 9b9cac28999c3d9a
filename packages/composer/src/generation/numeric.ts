/** Row-wise numerics on flat `[rows, vocabSize]` score matrices, in float64. */

/** In-place log-softmax of every row. Rows that are entirely -Infinity stay -Infinity. */
export function logSoftmaxRows(scores: Float64Array, vocabSize: number): void {
  for (let start = 0; start < scores.length; start += vocabSize) {
    const end = start + vocabSize;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (scores[i]! > max) max = scores[i]!;
    if (max === -Infinity) continue;
    let sum = 0;
    for (let i = start; i < end; i++) sum += Math.exp(scores[i]! - max);
    const logNorm = max + Math.log(sum);
    for (let i = start; i < end; i++) scores[i] = scores[i]! - logNorm;
  }
}

/** Softmax of one row `[start, start + vocabSize)`, into a new array. */
export function softmaxRow(scores: Float64Array, start: number, vocabSize: number): Float64Array {
  const out = new Float64Array(vocabSize);
  let max = -Infinity;
  for (let i = 0; i < vocabSize; i++) if (scores[start + i]! > max) max = scores[start + i]!;
  let sum = 0;
  for (let i = 0; i < vocabSize; i++) {
    const e = Math.exp(scores[start + i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < vocabSize; i++) out[i] = out[i]! / sum;
  return out;
}

/** Index of the largest value in `[start, start + length)`, relative to `start`; the first one on ties. */
export function argmaxRange(values: ArrayLike<number>, start: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[start + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * The `k` largest values of `values[start, start + length)` with their indices (relative to `start`), in
 * descending order; ties keep the lower index first.
 */
export function topKRange(
  values: ArrayLike<number>,
  start: number,
  length: number,
  k: number,
): { values: number[]; indices: number[] } {
  const topValues: number[] = [];
  const topIndices: number[] = [];
  for (let i = 0; i < length; i++) {
    const v = values[start + i]!;
    if (topValues.length === k && !(v > topValues[k - 1]!)) continue;
    // Insertion after equal values keeps the earlier index ahead on ties.
    let pos = topValues.length;
    while (pos > 0 && v > topValues[pos - 1]!) pos--;
    topValues.splice(pos, 0, v);
    topIndices.splice(pos, 0, i);
    if (topValues.length > k) {
      topValues.pop();
      topIndices.pop();
    }
  }
  return { values: topValues, indices: topIndices };
}
