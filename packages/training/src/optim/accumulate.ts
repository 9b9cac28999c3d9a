import { TrainingError } from "../errors.js";

/**
 * Sums gradients of several micro-batches in JS memory (not on the tensor heap) and gives their mean, which
 * equals HF's `loss / gradient_accumulation_steps` before each backward.
 */
export class GradientAccumulator {
  readonly #sums = new Map<string, Float32Array>();
  #count = 0;

  /** Adds one micro-batch's gradients, by parameter name. */
  add(grads: Iterable<[string, ArrayLike<number>]>): void {
    for (const [name, values] of grads) {
      const sum = this.#sums.get(name);
      if (sum === undefined) {
        // The first micro-batch is copied, not added to zeros: a block copy with the same values (0 + x is x; a
        // -0 stays -0, as in PyTorch, where the first backward assigns .grad).
        this.#sums.set(name, new Float32Array(values));
        continue;
      }
      if (sum.length !== values.length) {
        throw new TrainingError(
          "INVALID_STATE",
          `gradient of "${name}" changed size from ${sum.length} to ${values.length}`,
        );
      }
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
    }
    this.#count += 1;
  }

  /** How many micro-batches were added since the last reset. */
  get count(): number {
    return this.#count;
  }

  /** The mean gradient per parameter (divided in place; call once, then reset). */
  mean(): Map<string, Float32Array> {
    if (this.#count === 0) throw new TrainingError("INVALID_STATE", "no gradients were accumulated");
    // x / 1 is x: a single micro-batch (no accumulation) skips the pass.
    if (this.#count > 1) {
      for (const sum of this.#sums.values()) {
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / this.#count;
      }
    }
    return new Map(this.#sums);
  }

  reset(): void {
    this.#sums.clear();
    this.#count = 0;
  }
}
