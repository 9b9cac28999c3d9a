/**
 * A small seeded pseudo-random generator (a 32-bit xorshift-multiply mixer over a Weyl sequence), so that
 * sampling is reproducible across runs and platforms. Not for cryptography.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Fold any finite number (including fractions and values above 2^32) into 32 bits.
    this.state = (Math.floor(Math.abs(seed)) % 4294967296) >>> 0;
    if (seed < 0) this.state = ~this.state >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  }
}
