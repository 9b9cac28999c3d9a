import type { DecodeStepArgs, DecodeStepResult, Seq2SeqStepModel } from "../model-interface.js";

/**
 * Next-token probabilities of a toy language model: keyed by the source row's first token and the decoder
 * prefix, e.g. `"7|1,3"`; or by the prefix alone (`"1,3"`) when it does not depend on the source.
 * Unlisted tokens get probability 0; unlisted prefixes a uniform distribution.
 */
export type ToyTable = Record<string, Record<number, number>>;

export interface ToyEncoderState {
  readonly id: number;
  readonly sources: number[][];
}

export interface ToyCache {
  readonly id: number;
  /** The decoder prefix of every row that this cache "holds" (positions 0..t-1). */
  readonly prefixes: number[][];
}

/**
 * A deterministic table-driven `Seq2SeqStepModel` whose log-probabilities can be computed by hand. It checks the
 * generation loop's use of the interface: a cache must hold exactly the rows' previous prefixes (so a wrong
 * `reorderCache` row order fails loudly), and every state and cache must be disposed exactly once.
 */
export class ToyModel implements Seq2SeqStepModel<ToyEncoderState, ToyCache> {
  readonly vocabSize: number;
  readonly table: ToyTable;
  /** When set, `reorderCache` fails if a row moves to another block of this many rows (another input's beams). */
  reorderBlock: number | undefined;
  /** Ids of encoder states and caches not yet disposed. */
  readonly live = new Set<number>();
  /** Rows passed to `encode` over the model's lifetime. */
  encodedRows = 0;
  decodeSteps = 0;
  /** Decoder positions fed (full prefixes without a cache, one token per row with it). */
  positionsFed = 0;
  private nextId = 1;

  constructor(vocabSize: number, table: ToyTable) {
    this.vocabSize = vocabSize;
    this.table = table;
  }

  private track(): number {
    const id = this.nextId++;
    this.live.add(id);
    return id;
  }

  private release(id: number, what: string): void {
    if (!this.live.delete(id)) throw new Error(`${what} ${id} disposed twice or never created`);
  }

  probabilities(source: number[], prefix: number[]): number[] {
    const key = prefix.join(",");
    const entry = this.table[`${source[0]}|${key}`] ?? this.table[key];
    if (entry === undefined) return Array.from({ length: this.vocabSize }, () => 1 / this.vocabSize);
    return Array.from({ length: this.vocabSize }, (_, t) => entry[t] ?? 0);
  }

  encode(inputIds: number[][]): ToyEncoderState {
    this.encodedRows += inputIds.length;
    return { id: this.track(), sources: inputIds.map((r) => [...r]) };
  }

  expandEncoderState(state: ToyEncoderState, timesEach: number): ToyEncoderState {
    if (!this.live.has(state.id)) throw new Error("expanding a disposed encoder state");
    const sources = state.sources.flatMap((row) => Array.from({ length: timesEach }, () => [...row]));
    return { id: this.track(), sources };
  }

  decodeStep(args: DecodeStepArgs<ToyEncoderState, ToyCache>): DecodeStepResult<ToyCache> {
    const { decoderInputIds, encoderState, cache, useCache } = args;
    if (!this.live.has(encoderState.id)) throw new Error("decoding with a disposed encoder state");
    if (encoderState.sources.length !== decoderInputIds.length) {
      throw new Error(`encoder state has ${encoderState.sources.length} rows, decoder ${decoderInputIds.length}`);
    }
    this.decodeSteps++;
    if (cache !== null) {
      if (!useCache) throw new Error("received a cache with useCache false");
      decoderInputIds.forEach((row, r) => {
        const held = cache.prefixes[r]?.join(",");
        if (held !== row.slice(0, -1).join(",")) {
          throw new Error(`cache row ${r} holds [${held}] but the prefix is [${row.join(",")}]`);
        }
      });
      this.release(cache.id, "cache");
      this.positionsFed += decoderInputIds.length;
    } else {
      this.positionsFed += decoderInputIds.length * (decoderInputIds[0]?.length ?? 0);
    }
    const logits = new Float32Array(decoderInputIds.length * this.vocabSize);
    decoderInputIds.forEach((row, r) => {
      this.probabilities(encoderState.sources[r]!, row).forEach((p, t) => {
        logits[r * this.vocabSize + t] = Math.log(p);
      });
    });
    const next = useCache ? { id: this.track(), prefixes: decoderInputIds.map((r) => [...r]) } : null;
    return { logits, vocabSize: this.vocabSize, cache: next };
  }

  reorderCache(cache: ToyCache, rowIndices: number[]): ToyCache {
    const block = this.reorderBlock;
    if (block !== undefined && rowIndices.some((from, to) => Math.floor(from / block) !== Math.floor(to / block))) {
      throw new Error(`reorderCache moved a row across inputs: [${rowIndices.join(",")}]`);
    }
    this.release(cache.id, "cache");
    return { id: this.track(), prefixes: rowIndices.map((i) => [...cache.prefixes[i]!]) };
  }

  disposeCache(cache: ToyCache | null): void {
    if (cache !== null) this.release(cache.id, "cache");
  }

  disposeEncoderState(state: ToyEncoderState): void {
    this.release(state.id, "encoder state");
  }
}
