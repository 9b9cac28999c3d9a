import { topKRange } from "../numeric.js";
import type { SearchContext, SearchOutput } from "./context.js";
import { nextTokenScores, type StepScores } from "./next-token-scores.js";
import { criteriaMaxLength } from "../stopping-criteria.js";

/** Diverse (group) beam search settings on top of the shared search context. */
export interface GroupBeamSearchOptions {
  numBeams: number;
  /** Number of groups the beams are split into; divides `numBeams`. */
  numBeamGroups: number;
  /** Subtracted from a token's score once for every beam of an earlier group (same input, same step) that chose it. */
  diversityPenalty: number;
  lengthPenalty: number;
  earlyStopping: boolean | "never";
  numReturnSequences: number;
}

const INACTIVE_BEAM_SCORE = -1e9;

/**
 * The finished hypotheses of one (input, group), as transformers 4.x's `BeamHypotheses` keeps them: in insertion
 * order, the lowest one dropped once more than `size` are held (the earliest of equal lowest ones).
 */
export class LegacyBeamHypotheses {
  readonly beams: { score: number; tokens: number[] }[] = [];
  private worst = 1e9;

  readonly size: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean | "never";
  readonly maxLength: number;

  constructor(size: number, lengthPenalty: number, earlyStopping: boolean | "never", maxLength: number) {
    this.size = size;
    this.lengthPenalty = lengthPenalty;
    this.earlyStopping = earlyStopping;
    this.maxLength = maxLength;
  }

  add(tokens: number[], sumLogProbs: number, generatedLength: number): void {
    const score = sumLogProbs / generatedLength ** this.lengthPenalty;
    if (!(this.beams.length < this.size || score > this.worst)) return;
    this.beams.push({ score, tokens });
    if (this.beams.length > this.size) {
      const order = this.beams.map((b, i) => ({ s: b.score, i })).sort((a, b) => a.s - b.s || a.i - b.i);
      this.beams.splice(order[0]!.i, 1);
      this.worst = order[1]!.s;
    } else {
      this.worst = Math.min(score, this.worst);
    }
  }

  /**
   * 4.x's stop rule, fed the best candidate score of the step (eos candidates included) and the length the
   * candidates reach (`curLength`, prompt included).
   */
  isDone(bestSumLogProbs: number, curLength: number, promptLength: number): boolean {
    if (this.beams.length < this.size) return false;
    if (this.earlyStopping === true) return true;
    const length =
      this.earlyStopping === "never" && this.lengthPenalty > 0
        ? this.maxLength - promptLength
        : curLength - promptLength;
    return this.worst >= bestSumLogProbs / length ** this.lengthPenalty;
  }
}

/**
 * Hamming diversity (transformers' `HammingDiversityLogitsProcessor`): lowers, in place, the scores of the rows
 * of group `group` (`[batch * groupSize, vocab]`) by `penalty` times the number of beams of the earlier groups of
 * the same input that chose each token at this step (`currentTokens`, `[batch * numBeams]`).
 */
export function applyHammingDiversity(
  scores: Float64Array,
  vocabSize: number,
  currentTokens: readonly number[],
  numBeams: number,
  groupSize: number,
  group: number,
  penalty: number,
): void {
  const groupStart = group * groupSize;
  if (groupStart === 0) return;
  const batch = currentTokens.length / numBeams;
  for (let b = 0; b < batch; b++) {
    const counts = new Map<number, number>();
    for (let k = 0; k < groupStart; k++) {
      const token = currentTokens[b * numBeams + k]!;
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    for (let r = b * groupSize; r < (b + 1) * groupSize; r++) {
      for (const [token, n] of counts) {
        if (token >= 0 && token < vocabSize) {
          scores[r * vocabSize + token] = scores[r * vocabSize + token]! - penalty * n;
        }
      }
    }
  }
}

/**
 * Diverse beam search (Vijayakumar et al.) with the semantics of transformers' last in-core implementation,
 * `_group_beam_search` + `BeamSearchScorer` of 4.56 (later lines load it from the Hub):
 * - the `numBeams` beams of an input are split into `numBeamGroups` groups of `groupSize`; at the start beam 0 of
 *   each group is live;
 * - each step runs the decoder once, then the groups in order: log-softmax, Hamming diversity against the tokens
 *   the earlier groups chose at this step, the logits processors (on the group's rows), plus running scores; per
 *   input the `max(2, 1 + #eos) * groupSize` best candidates of the group; an eos candidate ranked below
 *   `groupSize` becomes a hypothesis of the (input, group), scored `sum / generatedLength ** lengthPenalty` (eos
 *   counted), the other candidates fill the group's beams in rank order;
 * - an (input, group) is done by 4.x's rule (`LegacyBeamHypotheses.isDone`, fed the best candidate score); a done
 *   group's beams continue with `padTokenId` and take no part;
 * - the search ends when every (input, group) is done, or when the stopping criteria hold for every running beam
 *   (`maxLength`, `maxTime`, the caller's own criteria);
 * - at the end the running beams of groups not done are added as hypotheses; per input
 *   the `numReturnSequences` best over all groups are returned, each followed by the first eos id when shorter
 *   than the output width (`min(longest + 1, maxLength)`), then `padTokenId`.
 */
export async function groupBeamSearch<E, C>(
  ctx: SearchContext<E, C>,
  options: GroupBeamSearchOptions,
): Promise<SearchOutput> {
  const { numBeams, numBeamGroups, diversityPenalty, lengthPenalty, earlyStopping, numReturnSequences } = options;
  const groupSize = numBeams / numBeamGroups;
  const batch = ctx.prompts.length;
  const promptLength = ctx.prompts[0]!.length;
  const eos = new Set(ctx.eosTokenIds);
  const candidatesPerInput = Math.max(2, 1 + ctx.eosTokenIds.length) * groupSize;

  let running = ctx.prompts.flatMap((prompt) => Array.from({ length: numBeams }, () => [...prompt]));
  const beamScores: number[] = running.map((_, row) => (row % groupSize === 0 ? 0 : INACTIVE_BEAM_SCORE));
  // Indexed b * numBeamGroups + g, as transformers does.
  const hyps = Array.from(
    { length: batch * numBeamGroups },
    () => new LegacyBeamHypotheses(groupSize, lengthPenalty, earlyStopping, ctx.maxLength),
  );
  const done = hyps.map(() => false);
  const allScores: Float32Array[] = [];
  const noScores: Float32Array[] = [];
  // Processors see the raw log-probabilities through this pass-through context; Hamming runs first, per group.
  const rawCtx: SearchContext<E, C> = {
    ...ctx,
    outputScores: false,
    processors: { process: () => undefined },
  };
  let curLength = promptLength;
  let cache: C | null = null;
  try {
    while (true) {
      const previous: C | null = cache;
      cache = null;
      const step: StepScores<C> = await nextTokenScores(rawCtx, running, previous, true, noScores);
      cache = step.cache;
      const { vocabSize, scores: logProbs } = step;
      const currentTokens = new Array<number>(running.length).fill(0);
      const sourceRows = running.map((_, row) => row);
      const processed = ctx.outputScores ? new Float32Array(running.length * vocabSize) : null;
      const nextRunning = running.slice();

      for (let g = 0; g < numBeamGroups; g++) {
        const rows: number[] = [];
        for (let b = 0; b < batch; b++) for (let k = 0; k < groupSize; k++) rows.push(b * numBeams + g * groupSize + k);
        const scores = new Float64Array(rows.length * vocabSize);
        rows.forEach((row, i) => scores.set(logProbs.subarray(row * vocabSize, (row + 1) * vocabSize), i * vocabSize));
        // As transformers, a penalty of 0 or below leaves the scores alone.
        if (diversityPenalty > 0) {
          applyHammingDiversity(scores, vocabSize, currentTokens, numBeams, groupSize, g, diversityPenalty);
        }
        ctx.processors.process(
          rows.map((row) => running[row]!),
          scores,
          vocabSize,
        );
        if (processed !== null) {
          rows.forEach((row, i) => processed.set(scores.subarray(i * vocabSize, (i + 1) * vocabSize), row * vocabSize));
        }
        rows.forEach((row, i) => {
          const base = beamScores[row]!;
          for (let v = 0; v < vocabSize; v++) scores[i * vocabSize + v] = scores[i * vocabSize + v]! + base;
        });

        for (let b = 0; b < batch; b++) {
          const groupRow = (k: number) => b * numBeams + g * groupSize + k;
          const h = b * numBeamGroups + g;
          if (done[h]) {
            for (let k = 0; k < groupSize; k++) {
              beamScores[groupRow(k)] = 0;
              currentTokens[groupRow(k)] = ctx.padTokenId;
              nextRunning[groupRow(k)] = [...running[groupRow(k)]!, ctx.padTokenId];
            }
            continue;
          }
          const top = topKRange(scores, b * groupSize * vocabSize, groupSize * vocabSize, candidatesPerInput);
          let filled = 0;
          for (let rank = 0; rank < top.indices.length && filled < groupSize; rank++) {
            const flat = top.indices[rank]!;
            const token = flat % vocabSize;
            const source = groupRow(Math.floor(flat / vocabSize));
            const score = top.values[rank]!;
            if (eos.has(token)) {
              if (rank >= groupSize) continue;
              hyps[h]!.add(running[source]!, score, curLength + 1 - promptLength);
            } else {
              const target = groupRow(filled);
              beamScores[target] = score;
              currentTokens[target] = token;
              nextRunning[target] = [...running[source]!, token];
              sourceRows[target] = source;
              filled++;
            }
          }
          done[h] = hyps[h]!.isDone(top.values[0]!, curLength + 1, promptLength);
        }
      }
      if (processed !== null) allScores.push(processed);
      running = nextRunning;
      curLength += 1;
      // transformers 4.56: the search ends when every (input, group) is done or the stopping criteria (max length,
      // max time, the caller's own) say every running beam is.
      if (!done.includes(false) || curLength >= ctx.maxLength || ctx.stoppingCriteria.isDone(running).every(Boolean)) {
        break;
      }
      if (cache !== null && sourceRows.some((source, row) => source !== row)) {
        const previousCache: C = cache;
        cache = null;
        cache = await ctx.model.reorderCache(previousCache, sourceRows);
      }
    }
  } finally {
    ctx.model.disposeCache(cache);
  }

  for (let h = 0; h < hyps.length; h++) {
    if (done[h]) continue;
    const b = Math.floor(h / numBeamGroups);
    const g = h % numBeamGroups;
    for (let k = 0; k < groupSize; k++) {
      const row = b * numBeams + g * groupSize + k;
      hyps[h]!.add(running[row]!, beamScores[row]!, running[row]!.length - promptLength);
    }
  }
  const best: { score: number; tokens: number[] }[] = [];
  for (let b = 0; b < batch; b++) {
    const candidates = hyps.slice(b * numBeamGroups, (b + 1) * numBeamGroups).flatMap((hyp) => hyp.beams);
    // Stable ascending sort, best taken from the end: among equal scores the last one wins, as in transformers.
    const sorted = candidates.map((c, i) => ({ c, i })).sort((x, y) => x.c.score - y.c.score || x.i - y.i);
    for (let j = 0; j < numReturnSequences; j++) best.push(sorted[sorted.length - 1 - j]!.c);
  }
  // As 4.56's finalize: one eos after the longest hypothesis, within the stopping criteria's max length (a user's
  // MaxLengthCriteria when it replaced the built-in one); uncapped without such a criterion.
  const longest = Math.max(...best.map((hyp) => hyp.tokens.length));
  const finalLength = criteriaMaxLength(ctx.stoppingCriteria);
  const width = finalLength === undefined ? longest + 1 : Math.min(longest + 1, finalLength);
  const sequences = best.map(({ tokens }) => {
    const row = tokens.slice(0, width);
    if (row.length < width) row.push(ctx.eosTokenIds[0] ?? ctx.padTokenId);
    while (row.length < width) row.push(ctx.padTokenId);
    return row;
  });
  const sequencesScores = best.map((hyp) => hyp.score);
  return ctx.outputScores ? { sequences, sequencesScores, scores: allScores } : { sequences, sequencesScores };
}
