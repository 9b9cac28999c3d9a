import { GenerationError } from "../errors.js";
import { logSoftmaxRows } from "../numeric.js";
import type { SearchContext } from "./context.js";

/** The processed next-token scores of every row after one decoder step, and the cache to pass to the next. */
export interface StepScores<Cache> {
  /** Row-major `[rows, vocabSize]`, float64. */
  scores: Float64Array;
  vocabSize: number;
  cache: Cache | null;
}

/**
 * Runs one decoder step over `rows` and applies the logits processors: to the raw logits (greedy search,
 * sampling) or, with `asLogProbs`, to their log-softmax (beam search), as Hugging Face does. Appends a float32 copy
 * to `allScores` when the context asks for scores.
 */
export async function nextTokenScores<E, C>(
  ctx: SearchContext<E, C>,
  rows: number[][],
  cache: C | null,
  asLogProbs: boolean,
  allScores: Float32Array[],
  allLogits?: Float32Array[],
): Promise<StepScores<C>> {
  const step = await ctx.model.decodeStep({
    decoderInputIds: rows,
    encoderState: ctx.encoderState,
    cache,
    useCache: ctx.useCache,
  });
  const { vocabSize } = step;
  if (step.logits.length !== rows.length * vocabSize) {
    ctx.model.disposeCache(step.cache);
    throw new GenerationError(
      "MODEL_OUTPUT",
      `decodeStep returned ${step.logits.length} logits for ${rows.length} rows x vocabSize ${vocabSize}`,
    );
  }
  if (ctx.outputLogits === true && allLogits !== undefined) allLogits.push(Float32Array.from(step.logits));
  const scores = Float64Array.from(step.logits);
  if (asLogProbs) logSoftmaxRows(scores, vocabSize);
  ctx.processors.process(rows, scores, vocabSize);
  if (ctx.outputScores) allScores.push(Float32Array.from(scores));
  return { scores, vocabSize, cache: step.cache };
}
