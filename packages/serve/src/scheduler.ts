import type {
  BaseStreamer,
  GenerateOptions,
  GenerateOutput,
  GenerationConfig,
  GenerationInputs,
  StoppingCriteria,
} from "@warmstart/composer";
import { RowFanOutStreamer, type RowTextSink } from "./row-streamer.js";
import type { ServeTokenizer } from "./tokenizer.js";

/** One input of one request, waiting for or taking part in a batch. */
export interface RowJob {
  /** The input's token ids, unpadded. */
  readonly inputIds: readonly number[];
  readonly config: Partial<GenerationConfig>;
  /** Rows batch together only when their keys are equal (same settings, same input length). */
  readonly key: string;
  /** Sampled rows run alone: the seeded generator is shared by the rows of a batch. */
  readonly alone: boolean;
  /** Receives the text as it is generated (`stream: true`). */
  readonly onText?: RowTextSink | undefined;
  cancelled: boolean;
  readonly settle: (outcome: RowOutcome) => void;
}

export type RowOutcome =
  | { ok: true; text: string; outputTokens: number; batchRows: number; generateMs: number }
  | { ok: false; error: unknown };

/** What the scheduler needs from the model: `EncoderDecoderModel` fits it. */
export interface BatchGenerator {
  generate(
    inputs: GenerationInputs,
    config?: Partial<GenerationConfig>,
    options?: GenerateOptions,
  ): Promise<GenerateOutput>;
}

/**
 * Ends cancelled rows (deadline passed, client gone) at the next step, as a custom stopping criterion. Greedy
 * search and sampling see one row per input; beam search sees its candidates, whose rows do not map to inputs
 * one to one, so there the batch stops only once every input in it is cancelled.
 */
export class CancelledRowsCriteria implements StoppingCriteria {
  readonly #rows: readonly RowJob[];

  constructor(rows: readonly RowJob[]) {
    this.#rows = rows;
  }

  isDone(inputIds: number[][]): boolean[] {
    if (this.#rows.every((row) => row.cancelled)) return inputIds.map(() => true);
    if (inputIds.length === this.#rows.length) return this.#rows.map((row) => row.cancelled);
    return inputIds.map(() => false);
  }
}

export interface SchedulerOptions {
  model: BatchGenerator;
  targetTokenizer: ServeTokenizer;
  eosTokenIds: readonly number[];
  maxBatch: number;
  maxQueue: number;
  /** Called when a batch has run: its rows, generated tokens and wall time. */
  onBatch?: (rows: number, generatedTokens: number, ms: number) => void;
}

/**
 * Dynamic batching: rows wait in a bounded queue; whenever the model is free, the oldest row and up to
 * `maxBatch - 1` later rows with the same key run as one `generate()` call (one encoder pass and one decoder
 * forward per step for all of them). Rows share a key only when they have the same settings and the same input
 * length, so no row is ever padded: each row gets exactly the ids it would get alone.
 */
export class BatchScheduler {
  readonly #options: SchedulerOptions;
  readonly #queue: RowJob[] = [];
  #running: Promise<void> | undefined;
  #lastBatchMs = 0;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Rows waiting for a batch (not the running one). */
  get queued(): number {
    return this.#queue.length;
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Wall time of the last batch, for `Retry-After`. */
  get lastBatchMs(): number {
    return this.#lastBatchMs;
  }

  /** Queues the rows of one request together, or none of them when they do not fit. */
  tryEnqueue(rows: readonly RowJob[]): boolean {
    if (this.#queue.length + rows.length > this.#options.maxQueue) return false;
    this.#queue.push(...rows);
    this.#pump();
    return true;
  }

  /** Takes a cancelled row out of the queue at once, freeing its place; a running row ends at the next step. */
  cancel(row: RowJob): void {
    row.cancelled = true;
    const at = this.#queue.indexOf(row);
    if (at >= 0) this.#queue.splice(at, 1);
  }

  /** Resolves once the running batch and every queued row are done. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  #pump(): void {
    if (this.#running !== undefined || this.#queue.length === 0) return;
    const first = this.#queue[0]!;
    const limit = first.alone ? 1 : this.#options.maxBatch;
    const batch: RowJob[] = [];
    for (let i = 0; i < this.#queue.length && batch.length < limit;) {
      const row = this.#queue[i]!;
      if (row.key === first.key && (!row.alone || batch.length === 0)) {
        batch.push(row);
        this.#queue.splice(i, 1);
      } else i++;
    }
    this.#running = this.#run(batch).finally(() => {
      this.#running = undefined;
      // Let the requests that arrived during the batch reach the queue before the next one is formed.
      setImmediate(() => this.#pump());
    });
  }

  async #run(batch: RowJob[]): Promise<void> {
    const { model, targetTokenizer, eosTokenIds } = this.#options;
    const started = performance.now();
    const sinks = batch.map((row) => row.onText);
    const streamer: BaseStreamer | undefined = sinks.some((s) => s !== undefined)
      ? new RowFanOutStreamer(targetTokenizer, sinks, eosTokenIds)
      : undefined;
    try {
      const inputIds = batch.map((row) => [...row.inputIds]);
      const out = await model.generate(
        { inputIds, attentionMask: inputIds.map((ids) => ids.map(() => 1)) },
        batch[0]!.config,
        { stoppingCriteria: [new CancelledRowsCriteria(batch)], ...(streamer === undefined ? {} : { streamer }) },
      );
      const texts = await targetTokenizer.batchDecode(out.sequences, { skipSpecialTokens: true });
      const ms = performance.now() - started;
      this.#lastBatchMs = ms;
      const eos = new Set(eosTokenIds);
      let generated = 0;
      batch.forEach((row, i) => {
        const outputTokens = generatedLength(out.sequences[i]!, eos);
        generated += outputTokens;
        row.settle({ ok: true, text: texts[i] ?? "", outputTokens, batchRows: batch.length, generateMs: ms });
      });
      this.#options.onBatch?.(batch.length, generated, ms);
    } catch (error) {
      this.#lastBatchMs = performance.now() - started;
      for (const row of batch) row.settle({ ok: false, error });
    }
  }
}

/** Tokens generated after the decoder start token, up to and including the first eos (padding excluded). */
function generatedLength(sequence: readonly number[], eos: ReadonlySet<number>): number {
  const generated = sequence.slice(1);
  const end = generated.findIndex((id) => eos.has(id));
  return end >= 0 ? end + 1 : generated.length;
}
