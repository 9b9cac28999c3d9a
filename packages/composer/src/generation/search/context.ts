import type { LogitsProcessor } from "../logits-processors.js";
import type { Seq2SeqStepModel } from "../model-interface.js";
import type { StoppingCriteria } from "../stopping-criteria.js";
import type { BaseStreamer } from "../streamers.js";

/** Everything a search strategy needs, already validated and resolved by `generate`. */
export interface SearchContext<EncoderState, Cache> {
  model: Seq2SeqStepModel<EncoderState, Cache>;
  /** Encoder state with one row per decoder row (already expanded for beams / samples). */
  encoderState: EncoderState;
  /** Decoder prompt of every input (not expanded), all the same length. */
  prompts: number[][];
  /** Maximum decoder length, prompt included. */
  maxLength: number;
  eosTokenIds: readonly number[];
  /** Written into rows of greedy search / sampling that have ended. */
  padTokenId: number;
  /** Right-pads beam hypotheses shorter than the longest returned one (transformers' `pad or eos[0]`). */
  beamFillTokenId: number;
  processors: LogitsProcessor;
  /** Checked after every step (greedy search, sampling) or on every beam candidate (beam search), as transformers. */
  stoppingCriteria: StoppingCriteria;
  useCache: boolean;
  outputScores: boolean;
  /** Also collect the raw logits of every step. */
  outputLogits?: boolean;
  /** Greedy search and sampling put each step's tokens (`[rows]`) here. */
  streamer?: BaseStreamer;
}

/** What a search strategy returns. */
export interface SearchOutput {
  /** `[rows][length]`, right-padded to the length of the longest row. */
  sequences: number[][];
  /** Beam search: the length-normalised score of each returned sequence. */
  sequencesScores?: number[];
  /** When `outputScores`: the processed scores of every step, each row-major `[rows, vocabSize]`. */
  scores?: Float32Array[];
  /** When `outputLogits`: the raw logits of every step, each row-major `[rows, vocabSize]`. */
  logits?: Float32Array[];
  /**
   * Beam search: per returned sequence, the row (`input * numBeams + beam`) each generated token was taken from,
   * step by step, -1 after it ended; as wide as the longest returned sequence's generated part.
   */
  beamIndices?: number[][];
}
