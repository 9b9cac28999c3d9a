import { mkdir, open, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { TrainingError } from "../errors.js";

/** The lock file a training run holds in its output folder (hidden: not part of the saved model). */
export const OUTPUT_LOCK_FILE = ".warmstart-train.lock";

/** Who holds an output folder: written into the lock file as JSON. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started: string;
}

export interface OutputLock {
  readonly path: string;
  /** Removes the lock file (only if it is still this process's). */
  release(): Promise<void>;
}

/**
 * Takes `<dir>/.warmstart-train.lock` so that two runs never write into one output folder at once. The file is
 * created with O_EXCL (atomic on local file systems) and holds the holder's pid, host and start time. A lock
 * whose holder is gone (same host, pid not alive) is stale and taken over; one held by a live process, or by
 * another host (whose pids cannot be checked from here), is refused with `OUTPUT_LOCKED` naming the holder.
 */
export async function acquireOutputLock(dir: string): Promise<OutputLock> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, OUTPUT_LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  // Two tries: the second after removing a stale lock; a racing process that wins that gap makes it fail again.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`, "utf8");
      } finally {
        await handle.close();
      }
      return { path, release: () => releaseIfMine(path, me) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(path);
    if (holder !== null && !isStale(holder)) {
      throw new TrainingError(
        "OUTPUT_LOCKED",
        `${dir} is in use by another training run (pid ${holder.pid} on ${holder.host}, started ${holder.started}); ` +
          `wait for it to finish, or use another output folder. If that process is gone, delete ${path}`,
      );
    }
    // Stale (its process is gone) or unreadable (torn by a crash while being written): take it over.
    await rm(path, { force: true });
  }
  throw new TrainingError(
    "OUTPUT_LOCKED",
    `${dir}: another process took ${path} while a stale lock was being replaced`,
  );
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string" && typeof parsed.started === "string") {
      return parsed as LockHolder;
    }
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** A holder on this host whose pid no longer runs. Another host's lock is never stale from here. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    // Signal 0 checks existence only; EPERM means the pid lives but belongs to another user.
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function releaseIfMine(path: string, me: LockHolder): Promise<void> {
  const holder = await readHolder(path);
  if (holder !== null && holder.pid === me.pid && holder.host === me.host && holder.started === me.started) {
    await rm(path, { force: true });
  }
}
