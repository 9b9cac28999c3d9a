import { WarmstartError } from "./errors.js";

/** Why a seeded generator refused its input. */
export type RandomErrorCode = "INVALID_SEED" | "INVALID_BOUND" | "INVALID_STATE";

/** A seed, bound or saved state that {@link SeededRandom} cannot use; the message names the value given. */
export class RandomError extends WarmstartError<RandomErrorCode> {
  override readonly name = "RandomError";
}

const TWO_32 = 4294967296;

/**
 * The one seeded generator of the project: xoshiro128** (Blackman & Vigna), its 128-bit state filled by splitmix32
 * from the seed. Chosen because its whole state is four 32-bit words (a checkpoint stores them and a resumed run
 * draws the same numbers), it is fast in 32-bit JavaScript arithmetic, and the trainer and the ROUGE bootstrap
 * already drew from it, so their sequences for a seed below 2^32 are unchanged. Not for cryptography.
 *
 * Besides the state, a generator carries a fork key fixed at creation (from the seed, then from each fork
 * label): {@link SeededRandom.fork} derives a child stream from the key and a label only, so adding a draw
 * anywhere never changes another fork's values (weight init forks one stream per parameter).
 */
export class SeededRandom {
  #s: Uint32Array;
  #key: [number, number];

  /** A generator from any safe integer; 32-bit seeds give the classic splitmix32-seeded sequence. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RandomError("INVALID_SEED", `seed must be a safe integer, got ${String(seed)}`);
    }
    const low = seed >>> 0;
    // A 32-bit seed is the same seed written signed or unsigned (`seed ^ constant` is signed in JavaScript), so
    // [-2^31, 2^32) folds to 32 bits as `>>> 0` always did; wider seeds mix in their high word.
    const high = seed >= -2147483648 && seed < TWO_32 ? 0 : Math.floor(seed / TWO_32) >>> 0;
    this.#s = seedWords(low, high);
    this.#key = [mix32(low ^ 0x6a09e667), mix32(high ^ 0xbb67ae85)];
  }

  /**
   * A generator continuing from a state returned by {@link SeededRandom.getState}: six unsigned 32-bit words
   * (four of xoshiro's state, two of the fork key). Four words, the state trainer checkpoints saved before the
   * fork key existed, restore the same draws; their forks are keyed by a hash of those words.
   */
  static fromState(state: readonly number[]): SeededRandom {
    const words = Array.isArray(state) && state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_32);
    if (!words || (state.length !== 6 && state.length !== 4) || state.slice(0, 4).every((w) => w === 0)) {
      throw new RandomError(
        "INVALID_STATE",
        `a SeededRandom state is six unsigned 32-bit integers (four for older checkpoints), not all of the first four zero; got [${Array.isArray(state) ? state.join(", ") : String(state)}]`,
      );
    }
    const random = new SeededRandom(0);
    random.#s = Uint32Array.from(state.slice(0, 4));
    random.#key =
      state.length === 6
        ? [state[4] as number, state[5] as number]
        : [mix32((state[0] as number) ^ (state[2] as number)), mix32((state[1] as number) ^ (state[3] as number))];
    return random;
  }

  /** The whole state, as plain numbers a JSON checkpoint can hold. */
  getState(): number[] {
    return [...this.#s, ...this.#key];
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1] as number, 5), 7), 9) >>> 0;
    const t = (s[1] as number) << 9;
    s[2] = (s[2] as number) ^ (s[0] as number);
    s[3] = (s[3] as number) ^ (s[1] as number);
    s[1] = (s[1] as number) ^ (s[2] as number);
    s[0] = (s[0] as number) ^ (s[3] as number);
    s[2] = (s[2] as number) ^ t;
    s[3] = rotl(s[3] as number, 11);
    return result;
  }

  /** Uniform in [0, 1) on the 2^-53 grid (27 + 26 bits of two draws), every double step equally likely. */
  float(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** A uniform integer in [0, n) for an integer 1 <= n <= 2^32, by rejection so that no value is favoured. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new RandomError("INVALID_BOUND", `int(n) needs a positive integer bound n <= 2^32, got ${String(n)}`);
    }
    // Draws at or above the largest multiple of n below 2^32 would favour small values: draw again.
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fills `out` with normal(mean, std) draws (Box-Muller, both values of each pair used) and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i += 2) {
      // 1 - float() lies in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - this.float()));
      const angle = 2 * Math.PI * this.float();
      out[i] = mean + std * radius * Math.cos(angle);
      if (i + 1 < out.length) out[i + 1] = mean + std * radius * Math.sin(angle);
    }
    return out;
  }

  /** A shuffled copy of `items` (Fisher-Yates, every permutation equally likely). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /**
   * An independent stream named `label`: it depends only on this generator's fork key (its seed and the labels
   * of the forks above it) and `label`, never on how much has been drawn.
   */
  fork(label: string): SeededRandom {
    let h0 = this.#key[0];
    let h1 = this.#key[1];
    for (const byte of new TextEncoder().encode(label)) {
      h0 = mix32(h0 ^ byte);
      h1 = mix32(h1 ^ h0);
    }
    // The length goes in too, so that the fork chains "ab" + "" and "a" + "b" stay apart.
    const key: [number, number] = [mix32(h0 ^ label.length), mix32(h1 ^ 0x3c6ef372)];
    const child = new SeededRandom(0);
    child.#s = seedWords(key[0], key[1]);
    child.#key = key;
    return child;
  }
}

/** splitmix32: a Weyl sequence through a 32-bit finaliser; returns [next state, output]. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** Four state words from splitmix32 of `low`; a non-zero `high` (seeds of 2^32 and above) is mixed in the same way. */
function seedWords(low: number, high: number): Uint32Array {
  const s = new Uint32Array(4);
  let a = low >>> 0;
  let b = (high ^ 0x510e527f) >>> 0;
  for (let i = 0; i < 4; i++) {
    let out: number;
    [a, out] = splitmix32(a);
    if (high !== 0) {
      let extra: number;
      [b, extra] = splitmix32(b);
      out = (out ^ extra) >>> 0;
    }
    s[i] = out;
  }
  // xoshiro's all-zero state is a fixed point.
  if (s.every((w) => w === 0)) s[0] = 1;
  return s;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
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
