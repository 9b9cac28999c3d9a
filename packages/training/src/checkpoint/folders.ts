import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";

export const CHECKPOINT_PREFIX = "checkpoint-";

export function checkpointName(step: number): string {
  return `${CHECKPOINT_PREFIX}${step}`;
}

/** The hidden folder a checkpoint is written into before its rename (see writeCheckpoint). */
export function temporaryCheckpointPrefix(step: number): string {
  return `.${checkpointName(step)}.tmp-`;
}

/**
 * Tidies what a killed run left in `outputDir`: half-written `.checkpoint-<step>.tmp-*` folders are removed,
 * and an old checkpoint moved aside (`….previous`) for a re-save of its step is put back when its
 * replacement never arrived. Returns the names it removed or restored.
 */
export async function recoverInterruptedWrites(outputDir: string): Promise<string[]> {
  const names = await entriesOf(outputDir);
  const touched: string[] = [];
  for (const name of names) {
    const match = /^\.(checkpoint-\d+)\.tmp-.*?(\.previous)?$/.exec(name);
    if (match === null) continue;
    const path = join(outputDir, name);
    const final = join(outputDir, match[1] as string);
    if (match[2] !== undefined && !(await exists(final))) await rename(path, final);
    else await rm(path, { recursive: true, force: true });
    touched.push(name);
  }
  return touched;
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

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
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
 * Each deleted folder is first renamed to a hidden `.checkpoint-<step>.tmp-…` name, so a kill during the
 * delete never leaves a half-deleted `checkpoint-<step>` (recoverInterruptedWrites removes the rest).
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
