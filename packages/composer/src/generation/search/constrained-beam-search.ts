import { GenerationError } from "../errors.js";
import { topKRange } from "../numeric.js";
import { ConstraintListState, type Constraint } from "./beam-constraints.js";
import type { SearchContext, SearchOutput } from "./context.js";
import { LegacyBeamHypotheses } from "./group-beam-search.js";
import { nextTokenScores, type StepScores } from "./next-token-scores.js";
import { criteriaMaxLength } from "../stopping-criteria.js";

/** Constrained beam search settings on top of the shared search context. */
export interface ConstrainedBeamSearchOptions {
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: boolean | "never";
  numReturnSequences: number;
  /** Every returned hypothesis fulfils all of them (when any running beam managed to). */
  constraints: readonly Constraint[];
}

const INACTIVE_BEAM_SCORE = -1e9;

/** A candidate for one of an input's next beams. */
interface Slot {
  /** Running score after this token (the beam's sum plus the token's processed log-probability). */
  score: number;
  token: number;
  /** The running row it extends (`input * numBeams + beam`). */
  source: number;
}

/** A finished hypothesis, with the row of every generated token when they are tracked. */
interface ConstrainedHypothesis {
  score: number;
  tokens: number[];
  rows?: number[];
}

/** Whether a token sequence (decoder prompt included) fulfils every constraint. */
function fulfils(constraints: readonly Constraint[], tokens: readonly number[]): boolean {
  const state = new ConstraintListState(constraints);
  state.reset(tokens);
  return state.completed;
}

/**
 * transformers 4.56's `step_sentence_constraint`: the `numBeams` beams of one input, chosen among the plain top
 * candidates (`slots`) and, for every running beam not yet done with its constraints, the extensions by each token
 * that advances them (unless already a candidate). Candidates are ranked by `bank * 100 + score` (float32, as
 * PyTorch computes it), then taken round-robin over the banks: the best of every bank, then the second best, ...
 */
function withConstraintProgress(
  constraints: readonly Constraint[],
  running: readonly number[][],
  firstRow: number,
  scores: Float64Array,
  vocabSize: number,
  slots: readonly Slot[],
): Slot[] {
  const numBeams = slots.length;
  const seen = new Set(slots.map((s) => [...running[s.source]!, s.token].join(",")));
  const states: ConstraintListState[] = slots.map((s) => {
    const state = new ConstraintListState(constraints);
    state.reset([...running[s.source]!, s.token]);
    return state;
  });
  const all: Slot[] = [...slots];
  for (let k = 0; k < numBeams; k++) {
    const row = firstRow + k;
    const prefix = running[row]!;
    const state = new ConstraintListState(constraints);
    state.reset(prefix);
    if (state.completed) continue;
    // Computed once before the loop: the copies below may share (and extend) this state's progress.
    const tokens = state.advance();
    if (tokens === null) {
      throw new GenerationError(
        "INVALID_CONFIG",
        "a constraint that is not fulfilled offers no token to advance it",
        "constraints",
      );
    }
    for (const token of tokens) {
      const next = state.copy(true);
      next.add(token);
      const key = [...prefix, token].join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({ score: scores[row * vocabSize + token]!, token, source: row });
      states.push(next);
    }
  }
  if (all.length === numBeams) return all;

  const banks = states.map((s) => s.bank());
  const ranked = all.map((slot, i) => ({ i, key: Math.fround(banks[i]! * 100 + Math.fround(slot.score)) }));
  // Stable: on equal keys the earlier candidate first (top candidates before the constraint extensions).
  ranked.sort((a, b) => b.key - a.key || a.i - b.i);
  // Rank of each candidate within its bank, counted along the sorted order; a stable sort by it interleaves banks.
  const withinBank: number[] = [];
  let currentBank = banks[ranked[0]!.i]!;
  let counter = -1;
  for (const { i } of ranked) {
    if (banks[i] === currentBank) counter += 1;
    else {
      counter = 0;
      currentBank = banks[i]!;
    }
    withinBank.push(counter);
  }
  const order = ranked.map((r, position) => ({ i: r.i, level: withinBank[position]!, position }));
  order.sort((a, b) => a.level - b.level || a.position - b.position);
  return order.slice(0, numBeams).map(({ i }) => all[i]!);
}

/**
 * Constrained beam search (Hokamp & Liu's grid beam search as transformers did it) with the semantics of its last
 * in-core implementation, `_constrained_beam_search` + `ConstrainedBeamSearchScorer` of transformers 4.56 (later
 * lines load it from the Hub):
 * - as beam search: log-softmax, logits processors, plus running scores; per input the `max(2, 1 + #eos) *
 *   numBeams` best candidates; an eos candidate ranked below `numBeams` becomes a hypothesis only if its sequence
 *   fulfils every constraint (else it is dropped), scored `sum / generatedLength ** lengthPenalty` (eos counted);
 * - the beams are then re-chosen among those candidates plus the constraint-advancing extension of every running
 *   beam, favouring progress through the constraints (`withConstraintProgress`);
 * - an input is done by 4.x's rule (`LegacyBeamHypotheses.isDone`, fed the best candidate score); a done input's
 *   beams continue from row 0 with `padTokenId`, as transformers does; the loop ends when every input is done or
 *   the stopping criteria hold for every running beam;
 * - at the end the running beams of inputs not done that fulfil the constraints become hypotheses; when fewer than
 *   `numReturnSequences` do, all the others are added too; the best are returned, each followed by the first eos
 *   id when shorter than the output width (`min(longest + 1, maxLength)`), then `padTokenId` (0 included).
 * `scores` are the step scores with the running beam scores added, as transformers returns them for this strategy;
 * `beamIndices` (with `outputScores`) are as wide as the sequences, prompt included, -1 after the end.
 */
export async function constrainedBeamSearch<E, C>(
  ctx: SearchContext<E, C>,
  options: ConstrainedBeamSearchOptions,
): Promise<SearchOutput> {
  const { numBeams, lengthPenalty, earlyStopping, numReturnSequences, constraints } = options;
  const batch = ctx.prompts.length;
  const promptLength = ctx.prompts[0]!.length;
  const eos = new Set(ctx.eosTokenIds);
  const candidatesPerInput = Math.max(2, 1 + ctx.eosTokenIds.length) * numBeams;
  // transformers tracks the rows of every token only when it returns the scores.
  const trackRows = ctx.outputScores;

  let running = ctx.prompts.flatMap((prompt) => Array.from({ length: numBeams }, () => [...prompt]));
  let beamScores: number[] = running.map((_, row) => (row % numBeams === 0 ? 0 : INACTIVE_BEAM_SCORE));
  let runningRows: number[][] = running.map(() => []);
  const hyps = ctx.prompts.map(() => new LegacyBeamHypotheses(numBeams, lengthPenalty, earlyStopping, ctx.maxLength));
  // LegacyBeamHypotheses keeps tokens and scores; the rows of each kept hypothesis live beside it.
  const hypRows = new Map<number[], number[]>();
  const done = ctx.prompts.map(() => false);
  const allScores: Float32Array[] = [];
  const allLogits: Float32Array[] = [];
  const processedCtx: SearchContext<E, C> = { ...ctx, outputScores: false };
  let curLength = promptLength;
  let cache: C | null = null;
  try {
    while (true) {
      const previous: C | null = cache;
      cache = null;
      const step: StepScores<C> = await nextTokenScores(processedCtx, running, previous, true, [], allLogits);
      cache = step.cache;
      const { vocabSize, scores } = step;
      for (let row = 0; row < running.length; row++) {
        const base = beamScores[row]!;
        for (let v = row * vocabSize; v < (row + 1) * vocabSize; v++) scores[v] = scores[v]! + base;
      }
      if (ctx.outputScores) allScores.push(Float32Array.from(scores));

      const next: Slot[] = [];
      for (let b = 0; b < batch; b++) {
        if (done[b]) {
          // transformers points a done input's beams at row 0 (any row would do: nothing reads them).
          for (let k = 0; k < numBeams; k++) next.push({ score: 0, token: ctx.padTokenId, source: 0 });
          continue;
        }
        const top = topKRange(scores, b * numBeams * vocabSize, numBeams * vocabSize, candidatesPerInput);
        const slots: Slot[] = [];
        for (let rank = 0; rank < top.indices.length && slots.length < numBeams; rank++) {
          const flat = top.indices[rank]!;
          const token = flat % vocabSize;
          const source = b * numBeams + Math.floor(flat / vocabSize);
          const score = top.values[rank]!;
          if (!eos.has(token)) {
            slots.push({ score, token, source });
            continue;
          }
          if (rank >= numBeams || !fulfils(constraints, running[source]!)) continue;
          const tokens = running[source]!;
          hyps[b]!.add(tokens, score, curLength + 1 - promptLength);
          if (trackRows) hypRows.set(tokens, [...runningRows[source]!, source]);
        }
        if (slots.length < numBeams) {
          throw new GenerationError(
            "MODEL_OUTPUT",
            `fewer than numBeams (${numBeams}) of the ${top.indices.length} best candidates are not eos: the vocabulary is too small for constrained beam search`,
          );
        }
        next.push(...withConstraintProgress(constraints, running, b * numBeams, scores, vocabSize, slots));
        done[b] = hyps[b]!.isDone(top.values[0]!, curLength + 1, promptLength);
      }

      running = next.map((s) => [...running[s.source]!, s.token]);
      beamScores = next.map((s) => s.score);
      if (trackRows) runningRows = next.map((s) => [...runningRows[s.source]!, s.source]);
      curLength += 1;
      const stop = ctx.stoppingCriteria.isDone(running);
      if (!done.includes(false) || stop.every(Boolean) || curLength >= ctx.maxLength) break;
      const sourceRows = next.map((s) => s.source);
      if (cache !== null && sourceRows.some((source, row) => source !== row)) {
        const previousCache: C = cache;
        cache = null;
        cache = await ctx.model.reorderCache(previousCache, sourceRows);
      }
    }
  } finally {
    ctx.model.disposeCache(cache);
  }

  for (let b = 0; b < batch; b++) {
    if (done[b]) continue;
    const collected = new Set<number>();
    for (let k = 0; k < numBeams; k++) {
      const row = b * numBeams + k;
      if (!fulfils(constraints, running[row]!)) continue;
      hyps[b]!.add(running[row]!, beamScores[row]!, running[row]!.length - promptLength);
      if (trackRows) hypRows.set(running[row]!, runningRows[row]!);
      collected.add(k);
    }
    // As transformers: when too few beams fulfil the constraints, every other beam is offered (without rows).
    if (collected.size < numReturnSequences) {
      for (let k = 0; k < numBeams; k++) {
        const row = b * numBeams + k;
        if (!collected.has(k)) hyps[b]!.add(running[row]!, beamScores[row]!, running[row]!.length - promptLength);
      }
    }
  }

  const best: ConstrainedHypothesis[] = [];
  for (let b = 0; b < batch; b++) {
    // Stable ascending sort, best taken from the end: among equal scores the last one wins, as in transformers.
    const sorted = hyps[b]!.beams.map((c, i) => ({ c, i })).sort((x, y) => x.c.score - y.c.score || x.i - y.i);
    for (let j = 0; j < numReturnSequences; j++) {
      const { score, tokens } = sorted[sorted.length - 1 - j]!.c;
      const rows = hypRows.get(tokens);
      best.push(rows === undefined ? { score, tokens } : { score, tokens, rows });
    }
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
  const out: SearchOutput = { sequences, sequencesScores: best.map((hyp) => hyp.score) };
  // transformers returns the rows when the best hypothesis has them (and fails when a later one lacks them).
  if (trackRows && best.every((hyp) => hyp.rows !== undefined)) {
    out.beamIndices = best.map(({ rows }) => [...rows!, ...Array<number>(width - rows!.length).fill(-1)]);
  }
  if (ctx.outputScores) out.scores = allScores;
  if (ctx.outputLogits === true) out.logits = allLogits;
  return out;
}
