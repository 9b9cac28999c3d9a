import { softmaxRow, topKRange } from "../numeric.js";
import { BeamHypotheses } from "./beam-hypotheses.js";
import type { SearchContext, SearchOutput } from "./context.js";
import { nextTokenScores, type StepScores } from "./next-token-scores.js";
import type { CandidateSampler } from "./sampler.js";

/** Beam-search settings on top of the shared search context. */
export interface BeamSearchOptions {
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: boolean | "never";
  numReturnSequences: number;
  /**
   * Beam sampling (transformers' `do_sample` with `num_beams` > 1): the candidates of each input are drawn with
   * this sampler from the softmax of their running scores instead of taken best first.
   */
  sampler?: CandidateSampler;
}

/**
 * Beam sampling's candidates: `count` indices of `scores[start, start + length)` drawn without replacement from
 * its softmax, returned best first with their scores (like `topKRange`).
 */
function sampledCandidates(
  sampler: CandidateSampler,
  scores: Float64Array,
  start: number,
  length: number,
  count: number,
): { indices: number[]; values: number[] } {
  const drawn = sampler(softmaxRow(scores, start, length), count);
  const ranked = drawn.map((index) => ({ index, value: scores[start + index]! })).sort((a, b) => b.value - a.value);
  return { indices: ranked.map((c) => c.index), values: ranked.map((c) => c.value) };
}

/** Running score given to beams 1..numBeams-1 at the start, so that the first step expands beam 0 only. */
const INACTIVE_BEAM_SCORE = -1e9;

interface Candidate {
  /** Running score: the beam's summed log-probabilities plus this token's processed log-probability. */
  score: number;
  /** Index of the beam it extends, within its input (0..numBeams-1). */
  beam: number;
  token: number;
  /** Its token is an eos or it reaches maxLength. */
  stops: boolean;
}

/**
 * Beam search with Hugging Face's semantics (`_beam_search` in transformers' generation utilities):
 * - every input runs `numBeams` beams; at the start only beam 0 is live (the others score -1e9);
 * - each step: log-softmax, logits processors, plus the beam's running score; per input the
 *   `(1 + #eos) * numBeams` (at least `2 * numBeams`) best candidates over all beams, best first;
 * - a candidate stops when its token is an eos or the sequence reaches `maxLength`; the next running beams are the
 *   `numBeams` best candidates that do not stop (stopping ones only fill up with a -1e9 penalty);
 * - a stopping candidate becomes a finished hypothesis only if it ranks below `numBeams` among the candidates,
 *   scored `sumLogProbs / L ** lengthPenalty` with L the generated tokens (prompt excluded, eos included);
 *   an input accepts nothing more once it is full with `earlyStopping: true`, or once the heuristic says no
 *   running beam can beat its worst finished hypothesis;
 * - the loop ends when every input is done, or at `maxLength`;
 * - beam sampling (`sampler` set) draws the candidates of an input without replacement from the softmax of all
 *   its running scores (`numBeams · vocab` of them, after the sampling warpers), then ranks them best first;
 *   everything else is as above (transformers 5's `_get_top_k_continuations` with `do_sample`);
 * - output: per input the `numReturnSequences` best hypotheses, right-padded to the longest returned one (not
 *   the length the loop reached) with `beamFillTokenId`: the pad id, or the first eos id when pad is 0 (transformers
 *   fills with `pad_token_id or eos_token_id[0]`, and 0 is falsy).
 */
export async function beamSearch<E, C>(ctx: SearchContext<E, C>, options: BeamSearchOptions): Promise<SearchOutput> {
  const { numBeams, lengthPenalty, earlyStopping, numReturnSequences } = options;
  const batch = ctx.prompts.length;
  const promptLength = ctx.prompts[0]!.length;
  const eos = new Set(ctx.eosTokenIds);
  const candidatesPerInput = Math.max(2, 1 + ctx.eosTokenIds.length) * numBeams;

  let running = ctx.prompts.flatMap((prompt) => Array.from({ length: numBeams }, () => [...prompt]));
  let runningScores: number[] = running.map((_, row) => (row % numBeams === 0 ? 0 : INACTIVE_BEAM_SCORE));
  // Per running beam: the row each of its generated tokens was taken from (transformers' beam_indices).
  let runningIndices: number[][] = running.map(() => []);
  const allLogits: Float32Array[] = [];
  const finished = ctx.prompts.map(() => new BeamHypotheses(numBeams, lengthPenalty));
  // Inputs whose finished set can no longer change (Hugging Face's early-stop heuristic, or full with earlyStopping).
  const closed = ctx.prompts.map(() => false);
  const allScores: Float32Array[] = [];
  let curLength = promptLength;
  let cache: C | null = null;
  try {
    while (true) {
      // The cache passed in belongs to the model from here on, so forget it before the call can throw.
      const previous: C | null = cache;
      cache = null;
      const step: StepScores<C> = await nextTokenScores(ctx, running, previous, true, allScores, allLogits);
      cache = step.cache;
      const { vocabSize, scores: logProbs } = step;
      for (let row = 0; row < running.length; row++) {
        const base = runningScores[row]!;
        const start = row * vocabSize;
        for (let v = 0; v < vocabSize; v++) logProbs[start + v] = logProbs[start + v]! + base;
      }

      const reachesMaxLength = curLength + 1 >= ctx.maxLength;
      const nextRunning: number[][] = [];
      const nextScores: number[] = [];
      const nextIndices: number[][] = [];
      const sourceRows: number[] = [];
      let everyCandidateStops = true;
      for (let b = 0; b < batch; b++) {
        const offset = b * numBeams * vocabSize;
        const top = options.sampler
          ? sampledCandidates(options.sampler, logProbs, offset, numBeams * vocabSize, candidatesPerInput)
          : topKRange(logProbs, offset, numBeams * vocabSize, candidatesPerInput);
        const candidates: Candidate[] = top.indices.map((flat, rank) => {
          const token = flat % vocabSize;
          return {
            score: top.values[rank]!,
            beam: Math.floor(flat / vocabSize),
            token,
            stops: reachesMaxLength || eos.has(token),
          };
        });
        // As transformers: every candidate goes through the stopping criteria (custom ones, stop strings, max time).
        const hits = ctx.stoppingCriteria.isDone(candidates.map((c) => [...running[b * numBeams + c.beam]!, c.token]));
        candidates.forEach((c, i) => {
          if (hits[i]) c.stops = true;
        });
        if (candidates.some((c) => !c.stops)) everyCandidateStops = false;

        // Finished hypotheses: only the numBeams best candidates may finish; the rest are spares for running.
        if (!closed[b]) {
          for (let rank = 0; rank < numBeams && rank < candidates.length; rank++) {
            const c = candidates[rank]!;
            if (!c.stops) continue;
            const row = b * numBeams + c.beam;
            const tokens = [...running[row]!, c.token];
            finished[b]!.add(tokens, c.score, curLength + 1 - promptLength, [...runningIndices[row]!, row]);
          }
        }

        // Running beams: the best non-stopping candidates; stopping ones only fill up, ranked after them.
        const ordered = [...candidates.filter((c) => !c.stops), ...candidates.filter((c) => c.stops)];
        for (let k = 0; k < numBeams; k++) {
          const c = ordered[k]!;
          const row = b * numBeams + c.beam;
          nextRunning.push([...running[row]!, c.token]);
          nextIndices.push([...runningIndices[row]!, row]);
          nextScores.push(c.stops ? c.score + INACTIVE_BEAM_SCORE : c.score);
          sourceRows.push(row);
        }
      }

      running = nextRunning;
      runningScores = nextScores;
      runningIndices = nextIndices;
      curLength += 1;

      for (let b = 0; b < batch; b++) {
        if (closed[b]) continue;
        const hyps = finished[b]!;
        const bestHypotheticalLength =
          earlyStopping === "never" && lengthPenalty > 0 ? ctx.maxLength - promptLength : curLength - promptLength;
        // Running beams are stored best first, so beam 0 holds the input's best running score.
        const cannotImprove = hyps.cannotImprove(runningScores[b * numBeams]!, bestHypotheticalLength);
        if (cannotImprove || (earlyStopping === true && hyps.isFull)) closed[b] = true;
      }

      if (everyCandidateStops || curLength >= ctx.maxLength || !closed.includes(false)) break;
      // Skipped when every beam extends itself: the cache rows are already in place.
      if (cache !== null && sourceRows.some((source, row) => source !== row)) {
        const previous: C = cache;
        cache = null;
        cache = await ctx.model.reorderCache(previous, sourceRows);
      }
    }
  } finally {
    ctx.model.disposeCache(cache);
  }

  const returned: number[][] = [];
  const returnedIndices: number[][] = [];
  const sequencesScores: number[] = [];
  for (let b = 0; b < batch; b++) {
    const hyps = finished[b]!.hypotheses;
    for (let j = 0; j < numReturnSequences; j++) {
      const hyp = hyps[j];
      // Only reachable if an input ran out of candidates before filling its finished set: return the running beam.
      const tokens = hyp?.tokens ?? running[b * numBeams + j]!;
      const score =
        hyp?.score ?? finished[b]!.normalise(runningScores[b * numBeams + j]!, Math.max(1, curLength - promptLength));
      returned.push(tokens);
      returnedIndices.push(hyp?.beamIndices ?? runningIndices[b * numBeams + j]!);
      sequencesScores.push(score);
    }
  }
  const width = Math.max(...returned.map((tokens) => tokens.length));
  const sequences = returned.map((tokens) => [
    ...tokens,
    ...Array<number>(width - tokens.length).fill(ctx.beamFillTokenId),
  ]);
  const generatedWidth = width - promptLength;
  const beamIndices = returnedIndices.map((row) => [...row, ...Array<number>(generatedWidth - row.length).fill(-1)]);
  return {
    sequences,
    sequencesScores,
    beamIndices,
    ...(ctx.outputScores ? { scores: allScores } : {}),
    ...(ctx.outputLogits === true ? { logits: allLogits } : {}),
  };
}
