import { seeded } from "./rng.js";

/** The file-system calls that put bytes on the disk (a kill there tears a file; a full disk refuses them). */
export const DATA_WRITES = new Set([
  "writeSync",
  "write",
  "writeFile",
  "writeFileSync",
  "appendFile",
  "appendFileSync",
]);

/**
 * Which operation numbers (1-based) to crash at, from a dry run's "ops <n> <kinds>" line. First the
 * moments just before and just after every rename (the commit points of an atomic save), then other
 * operations that are not data writes (mkdir, rm, open, fsync), spread evenly, then data writes
 * drawn with the seed (each leaves a torn file), up to `limit` in all.
 */
export function killPlan(opsLine: string, limit: number, seed: number): number[] {
  const match = /^ops (\d+) ?(.*)$/.exec(opsLine.trim());
  if (match === null) throw new Error(`not an operation count line: ${opsLine}`);
  const kinds = (match[2] ?? "").split(",").filter((k) => k !== "");
  const commits = new Set<number>();
  kinds.forEach((kind, i) => {
    if (!kind.startsWith("rename")) return;
    commits.add(i + 1);
    if (i + 2 <= kinds.length) commits.add(i + 2);
  });
  const structural: number[] = [];
  const writes: number[] = [];
  kinds.forEach((kind, i) => {
    if (!commits.has(i + 1)) (DATA_WRITES.has(kind) ? writes : structural).push(i + 1);
  });
  const random = seeded(seed);
  const commitList = [...commits];
  const chosen = commitList.length > limit ? pickSpread(commitList, limit) : commitList;
  const room = Math.ceil((limit - chosen.length) / 2);
  chosen.push(...(structural.length > room ? pickSpread(structural, room) : structural));
  while (chosen.length < limit && writes.length > 0) {
    chosen.push(...writes.splice(Math.floor(random() * writes.length), 1));
  }
  return chosen.sort((a, b) => a - b);
}

/** `count` items spread evenly over `items`, first and last included. */
function pickSpread(items: number[], count: number): number[] {
  if (count <= 1) return items.slice(0, count);
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))] as number);
}

/** Runs `task` over `items` with at most `width` at once (children are mostly waiting for a CPU here). */
export async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
