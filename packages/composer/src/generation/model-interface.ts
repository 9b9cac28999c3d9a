/**
 * The contract between generation (`generate`, the search strategies) and a sequence-to-sequence model.
 *
 * Generation owns the decoding loop and never touches tensors; the model owns every tensor. This keeps the
 * search strategies testable with table-driven toy models and lets any encoder-decoder (BERT2BERT, RoBERTa
 * shared, BERT2GPT-2, ...) plug in by implementing five small methods.
 *
 * Rows: generation works on a flat batch of "rows". For beam search with `numBeams` beams, row
 * `b * numBeams + k` is beam `k` of input `b` (all beams of input 0 first). For sampling with
 * `numReturnSequences` > 1, row `b * numReturnSequences + j` is the j-th sample of input `b`.
 *
 * Ownership: every value a method returns belongs to the caller (generation), which disposes it through
 * `disposeEncoderState` / `disposeCache` / `reorderCache` exactly once. Methods may return a promise
 * (e.g. to read GPU data asynchronously); generation awaits each call.
 */

/** What one decoder step receives. */
export interface DecodeStepArgs<EncoderState, Cache> {
  /**
   * The full decoder prefix of every row so far, `[rows][t]`, start token included. With `useCache` and a
   * non-null `cache`, the model only needs to feed the last column (`t - 1`) and may take the position offset
   * from the cache; otherwise it must run the whole prefix. All rows always have the same length `t`.
   */
  decoderInputIds: number[][];
  /** The encoder state for exactly these rows (already expanded for beams / samples). */
  encoderState: EncoderState;
  /**
   * The cache returned by the previous step (reordered to the current rows), or `null` on the first step and
   * whenever `useCache` is false. Ownership passes to the model: it must dispose whatever part of this cache it
   * does not carry into the returned one.
   */
  cache: Cache | null;
  /** Whether the model should build and return a key/value cache. When false, return `cache: null`. */
  useCache: boolean;
}

/** What one decoder step returns. */
export interface DecodeStepResult<Cache> {
  /** Raw (unnormalised) logits of the LAST position of every row, row-major `[rows, vocabSize]`. */
  logits: Float32Array;
  /** Size of the last dimension of `logits`. */
  vocabSize: number;
  /**
   * The cache after this step, covering positions `0..t-1` (self-attention keys/values of every decoder
   * layer, plus the precomputed cross-attention keys/values), or `null` when `useCache` was false.
   */
  cache: Cache | null;
}

/**
 * A sequence-to-sequence model that generation can drive step by step.
 *
 * `EncoderDecoderModel` implements it; tests implement it with table-driven toy models.
 */
export interface Seq2SeqStepModel<EncoderState = unknown, Cache = unknown> {
  /**
   * Runs the encoder once over the (right- or left-padded) batch. `attentionMask` is 1 for real tokens and 0 for
   * padding; the returned state must carry it, because cross-attention masks padded encoder positions.
   */
  encode(
    inputIds: number[][],
    attentionMask: number[][],
    options?: { tokenTypeIds?: number[][] },
  ): EncoderState | Promise<EncoderState>;
  /**
   * Optional: the state for encoder outputs the caller computed (`GenerationInputs.encoderOutputs`), so that
   * `generate` skips the encoder. The outputs stay the caller's: the returned state must not free them.
   */
  encoderStateFromOutputs?(encoderOutputs: unknown, attentionMask: number[][]): EncoderState | Promise<EncoderState>;
  /**
   * Returns a new state in which every row `i` of `state` is repeated `timesEach` times, consecutively
   * (`[r0, r0, ..., r1, r1, ...]`). The input state stays valid (generation disposes it right after).
   */
  expandEncoderState(state: EncoderState, timesEach: number): EncoderState | Promise<EncoderState>;
  /** Runs the decoder for one step and returns the last position's logits of every row. */
  decodeStep(args: DecodeStepArgs<EncoderState, Cache>): DecodeStepResult<Cache> | Promise<DecodeStepResult<Cache>>;
  /**
   * Returns a cache whose row `j` is row `rowIndices[j]` of `cache` (beam selection: a row can be repeated and
   * another dropped; `rowIndices.length` always equals the row count). Disposes `cache`, so the model must keep
   * any tensor both caches share alive.
   *
   * Guarantee: a row never moves to another input's block (`rowIndices[j]` and `j` belong to the same input, i.e.
   * `floor(rowIndices[j] / numBeams) === floor(j / numBeams)`). Rows that are equal within a block, such as the
   * cross-attention keys/values computed from the expanded encoder state, therefore need no gather: the model
   * can carry them over unchanged, which saves copying `layers x 2 x rows x sourceLength x hidden` floats per step.
   */
  reorderCache(cache: Cache, rowIndices: number[]): Cache | Promise<Cache>;
  /** Frees a cache; `null` is a no-op. */
  disposeCache(cache: Cache | null): void;
  /** Frees an encoder state. */
  disposeEncoderState(state: EncoderState): void;
}

/** Inputs of `generate`: a right-padded batch of encoder ids with its attention mask. */
export interface GenerationInputs {
  /** Encoder input ids, `[batch][sourceLength]`. */
  inputIds: number[][];
  /** 1 = real token, 0 = padding; defaults to all ones when omitted. */
  attentionMask?: number[][];
  /**
   * Optional decoder prompt per row, `[batch][promptLength]`, all rows the same length. Defaults to
   * `[[decoderStartTokenId], ...]`. `maxLength` counts these tokens.
   */
  decoderInputIds?: number[][];
  /** Segment ids for the encoder (BERT's `token_type_ids`), `[batch][sourceLength]`. */
  tokenTypeIds?: number[][];
  /**
   * Encoder outputs computed beforehand (encode once, decode many; transformers' `encoder_outputs`): `generate`
   * skips the encoder and uses them, with `attentionMask` for cross-attention. For `EncoderDecoderModel`: the
   * encoder's output (`model.encoder.forward(...)`, `{ lastHiddenState }`) or its last hidden state tensor,
   * `[batch, sourceLength, hidden]`. They are not disposed.
   */
  encoderOutputs?: unknown;
}
