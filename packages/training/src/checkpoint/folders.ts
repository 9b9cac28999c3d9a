import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

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
 * Deletes old checkpoints so at most `limit` remain, never the newest (needed to resume) nor `best` (the best
 * by metric); when both must stay and `limit` is 1, two remain, as HF's `save_total_limit` does.
 * Returns the deleted paths.
 */
export async function rotateCheckpoints(outputDir: string, limit: number, best?: string | null): Promise<string[]> {
  const all = await listCheckpoints(outputDir);
  const keep = new Set<string>();
  const bestEntry = all.find((c) => best !== undefined && best !== null && samePath(c.path, best));
  const newestCount = Math.max(1, bestEntry === undefined ? limit : limit - 1);
  for (const c of all.slice(-newestCount)) keep.add(c.path);
  if (bestEntry !== undefined) keep.add(bestEntry.path);
  const removed: string[] = [];
  for (const c of all) {
    if (keep.has(c.path)) continue;
    await rm(c.path, { recursive: true, force: true });
    removed.push(c.path);
  }
  return removed;
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}
