import * as tf from "@tensorflow/tfjs";

/**
 * A seeded, counter-based random stream. Values are computed in JavaScript (not by a backend kernel), so
 * the same seed gives the same tensors on every backend and every run.
 */
export interface Random {
  readonly seed: number;
  /** Float32 tensor of normal(mean, std) draws (Box-Muller). */
  normal(shape: number[], std?: number, mean?: number): tf.Tensor;
  /** Float32 tensor of uniform draws in [min, max). */
  uniform(shape: number[], min?: number, max?: number): tf.Tensor;
  /** An integer in [0, maxExclusive). */
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
  if (!Number.isSafeInteger(seed)) throw new Error(`createRandom: seed must be a safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  return new CounterRandom(seed, mix32(low ^ 0x6a09e667), mix32(high ^ 0xbb67ae85));
}

class CounterRandom implements Random {
  readonly seed: number;
  readonly #k0: number;
  readonly #k1: number;
  #counter = 0;

  constructor(seed: number, k0: number, k1: number) {
    this.seed = seed;
    this.#k0 = k0;
    this.#k1 = k1;
  }

  /** The 32-bit output for the next counter value: a hash of (key, counter), hence "counter-based". */
  #next(): number {
    const c = this.#counter++;
    const lo = c >>> 0;
    const hi = Math.floor(c / 2 ** 32) >>> 0;
    return mix32(mix32(mix32(lo ^ this.#k0) ^ hi) ^ this.#k1);
  }

  float(): number {
    // 27 + 26 bits make a double in [0, 1) on the 2^-53 grid.
    return ((this.#next() >>> 5) * 67108864 + (this.#next() >>> 6)) / 9007199254740992;
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
      throw new Error(`int: maxExclusive must be a positive safe integer, got ${maxExclusive}`);
    }
    return Math.floor(this.float() * maxExclusive);
  }

  normal(shape: number[], std = 1, mean = 0): tf.Tensor {
    const out = new Float32Array(tf.util.sizeFromShape(shape));
    for (let i = 0; i < out.length; i += 2) {
      // 1 - float() lies in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - this.float()));
      const angle = 2 * Math.PI * this.float();
      out[i] = mean + std * radius * Math.cos(angle);
      if (i + 1 < out.length) out[i + 1] = mean + std * radius * Math.sin(angle);
    }
    return tf.tensor(out, shape, "float32");
  }

  uniform(shape: number[], min = 0, max = 1): tf.Tensor {
    const out = new Float32Array(tf.util.sizeFromShape(shape));
    for (let i = 0; i < out.length; i++) out[i] = min + (max - min) * this.float();
    return tf.tensor(out, shape, "float32");
  }

  fork(label: string): Random {
    let h0 = this.#k0;
    let h1 = this.#k1;
    for (const byte of new TextEncoder().encode(label)) {
      h0 = mix32(h0 ^ byte);
      h1 = mix32(h1 ^ h0);
    }
    // The length goes in too, so that "ab" + "" and "a" + "b" fork chains stay apart.
    return new CounterRandom(this.seed, mix32(h0 ^ label.length), mix32(h1 ^ 0x3c6ef372));
  }
}

/** A 32-bit integer hash with full avalanche (xor-shift / multiply rounds). */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

export function zeros(shape: number[]): tf.Tensor {
  return tf.zeros(shape, "float32");
}

export function ones(shape: number[]): tf.Tensor {
  return tf.ones(shape, "float32");
}
