import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Appends bytes (or UTF-8 text) to the file being written. */
export type WriteChunk = (data: Uint8Array | string) => void;

/**
 * Writes `path` so that a reader (or a process killed half-way) sees either the old file or the whole new
 * one: the bytes go to a hidden temporary file beside it (`.<name>.<pid>-<random>.tmp`, same folder, so the
 * rename stays on one file system), which is fsynced, renamed over `path`, and the folder fsynced so the
 * rename survives a power cut. `contents` is the data, or a function that writes it in pieces (large
 * files need not be held twice in memory). On failure the temporary file is removed, `path` is left as it
 * was and the file system's error is rethrown (its `code`, e.g. ENOSPC, intact).
 */
export async function writeFileAtomically(
  path: string,
  contents: Uint8Array | string | ((write: WriteChunk) => void | Promise<void>),
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  // "wx": a name another writer already holds is never shared.
  const fd = openSync(temp, "wx");
  let open = true;
  try {
    const write: WriteChunk = (data) => writeAll(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    if (typeof contents === "function") await contents(write);
    else write(contents);
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    renameSync(temp, path);
  } catch (error) {
    if (open) {
      try {
        closeSync(fd);
      } catch {
        // the descriptor is gone already; the file is removed below either way
      }
    }
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  // Node refuses single writes above 2 GiB, so large buffers go in pieces.
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/**
 * Makes a rename inside `dir` durable. Some platforms (Windows) cannot open a folder; that loses only
 * durability across a power cut, not atomicity, so it is not an error.
 */
export function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // as above: durability only
  } finally {
    closeSync(fd);
  }
}
