import { readdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseSideName, recoverInterruptedSwap } from "@warmstart/core/fs";

export const CHECKPOINT_PREFIX = "checkpoint-";

export function checkpointName(step: number): string {
  return `${CHECKPOINT_PREFIX}${step}`;
}

const CHECKPOINT_NAME = /^checkpoint-\d+$/;

/**
 * Tidies what a killed run left in `outputDir` (the trainer holds the output lock, so no other writer is
 * mid-write): a checkpoint moved aside for a re-save of its step is put back when its replacement never
 * arrived (@warmstart/core/fs's recovery of an interrupted swap), then every other hidden side folder of a
 * checkpoint (half-written, moved aside, half-deleted by rotation) is removed. Returns the names it removed
 * or restored.
 */
export async function recoverInterruptedWrites(outputDir: string): Promise<string[]> {
  const sides = (await entriesOf(outputDir)).flatMap((name) => {
    const side = parseSideName(name);
    return side !== undefined && CHECKPOINT_NAME.test(side.target) ? [{ name, ...side }] : [];
  });
  for (const target of new Set(sides.filter((s) => s.kind === "old").map((s) => s.target))) {
    recoverInterruptedSwap(join(outputDir, target));
  }
  const left = new Set(await entriesOf(outputDir));
  const restored = sides.filter(({ name }) => !left.has(name)).map(({ name }) => name);
  const removed = sides.filter(({ name }) => left.has(name)).map(({ name }) => name);
  for (const name of removed) await rm(join(outputDir, name), { recursive: true, force: true });
  return [...restored, ...removed];
}

/** The names in `dir`; none when it does not exist yet. */
async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export interface CheckpointEntry {
  step: number;
  path: string;
}

/** The finished `checkpoint-<step>` folders of an output folder, oldest first (temporary folders excluded). */
export async function listCheckpoints(outputDir: string): Promise<CheckpointEntry[]> {
  const names = await entriesOf(outputDir);
  const found: CheckpointEntry[] = [];
  for (const name of names) {
    const match = /^checkpoint-(\d+)$/.exec(name);
    if (match !== null) found.push({ step: Number(match[1]), path: join(outputDir, name) });
  }
  return found.sort((a, b) => a.step - b.step);
}

/**
 * Deletes old checkpoints so at most `limit` remain, by the rules of HF Trainer's `save_total_limit`
 * (`_sorted_checkpoints` / `_rotate_checkpoints`): oldest first by step, except that the best checkpoint
 * (`best`, when a metric is tracked) is moved next to the newest so it outlives the others; with `limit` 1
 * and a best checkpoint that is not the newest, two remain, so the newest is always there to resume from.
 * Each deleted folder is first renamed to a hidden `.checkpoint-<step>.tmp-deleted-…` side name, so a kill during
 * the delete never leaves a half-deleted `checkpoint-<step>` (recoverInterruptedWrites removes the rest).
 * Returns the deleted paths.
 */
export async function rotateCheckpoints(outputDir: string, limit: number, best?: string | null): Promise<string[]> {
  const order = (await listCheckpoints(outputDir)).map((c) => c.path);
  if (order.length <= limit) return [];
  const bestIndex = best === undefined || best === null ? -1 : order.findIndex((path) => samePath(path, best));
  if (bestIndex >= 0) {
    // Bubble the best one up to the second-newest place (it stays put when it already is among the last two).
    for (let i = bestIndex; i < order.length - 2; i++) {
      [order[i], order[i + 1]] = [order[i + 1] as string, order[i] as string];
    }
  }
  const newestIsBest = bestIndex >= 0 && samePath(order.at(-1) as string, best as string);
  const kept = limit === 1 && bestIndex >= 0 && !newestIsBest ? 2 : limit;
  const removed: string[] = [];
  for (const path of order.slice(0, Math.max(0, order.length - kept))) {
    const name = basename(path);
    const doomed = join(outputDir, `.${name}.tmp-deleted-${process.pid}`);
    await rename(path, doomed);
    await rm(doomed, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}
