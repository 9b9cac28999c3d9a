import * as tf from "@tensorflow/tfjs";
import { SeededRandom } from "@warmstart/core";

/**
 * A seeded random stream that makes tensors: the project's one generator (`SeededRandom` of @warmstart/core)
 * with tensor-producing draws on top. Values are computed in JavaScript (not by a backend kernel), so the same
 * seed gives the same tensors on every backend and every run.
 */
export interface Random {
  readonly seed: number;
  /** Float32 tensor of normal(mean, std) draws (Box-Muller). */
  normal(shape: number[], std?: number, mean?: number): tf.Tensor;
  /** Float32 tensor of uniform draws in [min, max). */
  uniform(shape: number[], min?: number, max?: number): tf.Tensor;
  /** An integer in [0, maxExclusive), maxExclusive <= 2^32, drawn by rejection (unbiased). */
  int(maxExclusive: number): number;
  /** A float in [0, 1) with 53 random bits. */
  float(): number;
  /**
   * An independent stream named `label`. It depends only on this stream's seed path and the label, not on
   * how much has been drawn, so adding a draw somewhere never changes another fork's values.
   */
  fork(label: string): Random;
}

/** A random stream from an integer seed (any safe integer). */
export function createRandom(seed: number): Random {
  return new TensorRandom(seed, new SeededRandom(seed));
}

class TensorRandom implements Random {
  readonly seed: number;
  readonly #source: SeededRandom;

  constructor(seed: number, source: SeededRandom) {
    this.seed = seed;
    this.#source = source;
  }

  float(): number {
    return this.#source.float();
  }

  int(maxExclusive: number): number {
    return this.#source.int(maxExclusive);
  }

  normal(shape: number[], std = 1, mean = 0): tf.Tensor {
    const out = this.#source.fillNormal(new Float32Array(tf.util.sizeFromShape(shape)), mean, std);
    return tf.tensor(out, shape, "float32");
  }

  uniform(shape: number[], min = 0, max = 1): tf.Tensor {
    const out = new Float32Array(tf.util.sizeFromShape(shape));
    for (let i = 0; i < out.length; i++) out[i] = min + (max - min) * this.#source.float();
    return tf.tensor(out, shape, "float32");
  }

  fork(label: string): Random {
    return new TensorRandom(this.seed, this.#source.fork(label));
  }
}

export function zeros(shape: number[]): tf.Tensor {
  return tf.zeros(shape, "float32");
}

export function ones(shape: number[]): tf.Tensor {
  return tf.ones(shape, "float32");
}
