import { GenerationError } from "./errors.js";
import type { LogitsProcessor } from "./logits-processors.js";

/** `(batchId, inputIds)` → the token ids allowed next; `inputIds` is the row's decoder sequence so far. */
export type PrefixAllowedTokensFn = (batchId: number, inputIds: readonly number[]) => readonly number[];

/**
 * Constrained generation (transformers' `PrefixConstrainedLogitsProcessor`): every token the function does not
 * allow for a row becomes -Infinity. Rows come in blocks of `numBeams` per input (`generate` passes
 * `max(numBeams, numReturnSequences)`, as transformers does), so `batchId` is `floor(row / numBeams)`. An empty
 * allowed list is an error, as in transformers.
 */
export class PrefixConstrainedLogitsProcessor implements LogitsProcessor {
  readonly prefixAllowedTokensFn: PrefixAllowedTokensFn;
  readonly numBeams: number;

  constructor(prefixAllowedTokensFn: PrefixAllowedTokensFn, numBeams: number) {
    this.prefixAllowedTokensFn = prefixAllowedTokensFn;
    this.numBeams = numBeams;
  }

  process(inputIds: number[][], scores: Float64Array, vocabSize: number): void {
    const allowed = new Uint8Array(vocabSize);
    for (let row = 0; row < inputIds.length; row++) {
      const batchId = Math.floor(row / this.numBeams);
      const ids = this.prefixAllowedTokensFn(batchId, inputIds[row]!);
      if (ids.length === 0) {
        throw new GenerationError(
          "INVALID_INPUTS",
          `prefixAllowedTokensFn returned an empty list for batch ${batchId}, beam ${row % this.numBeams}: ` +
            "at least one token must be allowed",
        );
      }
      allowed.fill(0);
      for (const id of ids) if (Number.isInteger(id) && id >= 0 && id < vocabSize) allowed[id] = 1;
      const start = row * vocabSize;
      for (let v = 0; v < vocabSize; v++) if (allowed[v] === 0) scores[start + v] = -Infinity;
    }
  }
}

/**
 * transformers' merge of user-supplied logits processors / stopping criteria with the ones `generate` builds: a
 * custom one of the same class as a built-in one takes its place (transformers 5; 4.49 and earlier raised), the
 * others come after the built-in ones, in the order given.
 */
export function mergeCustom<T extends object>(defaults: readonly T[], custom: readonly T[] | undefined): T[] {
  if (custom === undefined || custom.length === 0) return [...defaults];
  const merged = defaults.map((d) => custom.find((c) => c.constructor === d.constructor) ?? d);
  for (const c of custom) if (!merged.includes(c)) merged.push(c);
  return merged;
}
