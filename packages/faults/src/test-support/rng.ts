/** A seeded generator (mulberry32), so that every kill moment and fuzzed byte is reproducible from the seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: WARMSTART_FAULT_SEED, else a fixed default, so a failure can be replayed. */
export function faultSeed(offset: number): number {
  const fromEnv = Number(process.env.WARMSTART_FAULT_SEED);
  return (Number.isInteger(fromEnv) ? fromEnv : 20261125) + offset;
}

/** How many kills a target gets: WARMSTART_FAULT_KILLS scales the defaults (which fit the CI time budget). */
export function killCount(defaultCount: number): number {
  const fromEnv = Number(process.env.WARMSTART_FAULT_KILLS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultCount;
}
