import { SeededRandom } from "@warmstart/core";
import { TrainingError } from "../errors.js";

export interface BatchPlanOptions {
  batchSize: number;
  /** Seed of the per-epoch order; epoch e uses a generator derived from (seed, e), so any epoch can be replayed. */
  seed: number;
  /** Shuffle examples each epoch (default true). */
  shuffle?: boolean;
  /**
   * Lengths of the examples (e.g. source token counts): when given, batches gather examples of similar length
   * to cut padding, as HF's LengthGroupedSampler does: shuffle, cut into mega-batches of
   * `batchSize · megabatchMultiplier`, sort each by length, cut into batches, then shuffle the batch order.
   */
  lengths?: readonly number[];
  megabatchMultiplier?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/** The batches (lists of example indices) of one epoch; a pure function of its arguments. */
export function planEpoch(numExamples: number, epoch: number, options: BatchPlanOptions): number[][] {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrainingError("INVALID_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  }
  if (options.lengths !== undefined && options.lengths.length !== numExamples) {
    throw new TrainingError(
      "INVALID_OPTION",
      `lengths has ${options.lengths.length} entries for ${numExamples} examples`,
    );
  }
  const rng = new SeededRandom(epochSeed(options.seed, epoch));
  const indices = Array.from({ length: numExamples }, (_, i) => i);
  const order = options.shuffle === false ? indices : rng.shuffled(indices);
  let batches: number[][];
  if (options.lengths === undefined) {
    batches = chunk(order, batchSize);
  } else {
    const lengths = options.lengths;
    const megabatch = batchSize * (options.megabatchMultiplier ?? 50);
    batches = [];
    for (const mega of chunk(order, megabatch)) {
      // Stable sort, longest first, so equal lengths keep their shuffled order.
      const sorted = mega.slice().sort((a, b) => (lengths[b] as number) - (lengths[a] as number));
      batches.push(...chunk(sorted, batchSize));
    }
    if (options.shuffle !== false) batches = rng.shuffled(batches);
  }
  if (options.dropLast === true) batches = batches.filter((b) => b.length === batchSize);
  return batches;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0;
}

/** Where a {@link BatchIterator} stands: the next batch it yields is batch `batch` of epoch `epoch`. */
export interface DataPosition {
  epoch: number;
  batch: number;
}

export interface PlannedBatch {
  indices: number[];
  epoch: number;
  /** Index of this batch within its epoch. */
  batch: number;
}

/**
 * Yields batches epoch after epoch, forever; `position` can be saved and passed back to continue exactly where
 * a previous run stopped (epochs are re-planned from the seed, so no order needs storing).
 */
export class BatchIterator {
  readonly #numExamples: number;
  readonly #options: BatchPlanOptions;
  #position: DataPosition;
  #plan: number[][] | undefined;
  #planEpoch = -1;

  constructor(numExamples: number, options: BatchPlanOptions, position: DataPosition = { epoch: 0, batch: 0 }) {
    if (numExamples < 1) throw new TrainingError("INVALID_OPTION", "a dataset needs at least one example");
    this.#numExamples = numExamples;
    this.#options = options;
    this.#position = { ...position };
    if (this.batchesPerEpoch() === 0) {
      throw new TrainingError(
        "INVALID_OPTION",
        `${numExamples} examples make no batch of ${options.batchSize} with dropLast`,
      );
    }
  }

  get position(): DataPosition {
    return { ...this.#position };
  }

  /** Continue from `position` (e.g. restored from a checkpoint). */
  seek(position: DataPosition): void {
    if (
      !Number.isInteger(position.epoch) ||
      !Number.isInteger(position.batch) ||
      position.epoch < 0 ||
      position.batch < 0
    ) {
      throw new TrainingError(
        "INVALID_STATE",
        `data position must be non-negative integers, got ${JSON.stringify(position)}`,
      );
    }
    this.#position = { ...position };
  }

  batchesPerEpoch(): number {
    return this.#planFor(this.#position.epoch).length;
  }

  next(): PlannedBatch {
    let plan = this.#planFor(this.#position.epoch);
    if (this.#position.batch >= plan.length) {
      this.#position = { epoch: this.#position.epoch + 1, batch: 0 };
      plan = this.#planFor(this.#position.epoch);
    }
    const { epoch, batch } = this.#position;
    this.#position = { epoch, batch: batch + 1 };
    return { indices: (plan[batch] as number[]).slice(), epoch, batch };
  }

  #planFor(epoch: number): number[][] {
    if (this.#plan === undefined || this.#planEpoch !== epoch) {
      this.#plan = planEpoch(this.#numExamples, epoch, this.#options);
      this.#planEpoch = epoch;
    }
    return this.#plan;
  }
}
