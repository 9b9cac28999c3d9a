import type { SearchContext, SearchOutput } from "./context.js";
import { nextTokenScores, type StepScores } from "./next-token-scores.js";

/** Picks the next token of one row from its processed scores `scores[start, start + vocabSize)`. */
export type TokenChooser = (scores: Float64Array, start: number, vocabSize: number) => number;

/**
 * The one-token-per-step loop shared by greedy search and sampling: each row grows by one token per step;
 * rows that have stopped receive the pad id; the loop ends when every row has stopped.
 * `rowsPerPrompt` > 1 repeats each prompt consecutively (several samples per input).
 */
export async function tokenByTokenSearch<E, C>(
  ctx: SearchContext<E, C>,
  choose: TokenChooser,
  rowsPerPrompt: number,
): Promise<SearchOutput> {
  const sequences = ctx.prompts.flatMap((prompt) => Array.from({ length: rowsPerPrompt }, () => [...prompt]));
  const unfinished = sequences.map(() => true);
  const allScores: Float32Array[] = [];
  const allLogits: Float32Array[] = [];
  let cache: C | null = null;
  try {
    while (true) {
      // The cache passed in belongs to the model from here on, so forget it before the call can throw.
      const previous: C | null = cache;
      cache = null;
      const step: StepScores<C> = await nextTokenScores(ctx, sequences, previous, false, allScores, allLogits);
      cache = step.cache;
      const { vocabSize, scores } = step;
      for (let row = 0; row < sequences.length; row++) {
        const token = unfinished[row] ? choose(scores, row * vocabSize, vocabSize) : ctx.padTokenId;
        sequences[row]!.push(token);
      }
      if (ctx.streamer !== undefined) await ctx.streamer.put(sequences.map((s) => s[s.length - 1]!));
      const done = ctx.stoppingCriteria.isDone(sequences);
      for (let row = 0; row < sequences.length; row++) if (done[row]) unfinished[row] = false;
      if (!unfinished.includes(true)) break;
    }
  } finally {
    ctx.model.disposeCache(cache);
  }
  return {
    sequences,
    ...(ctx.outputScores ? { scores: allScores } : {}),
    ...(ctx.outputLogits === true ? { logits: allLogits } : {}),
  };
}
