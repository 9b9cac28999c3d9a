import { SeededRandom } from "@warmstart/core";

/** Uniform draws in [0, 1) from the project's seeded generator, so every kill moment and fuzzed byte replays from the seed. */
export function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.float();
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
