import { randomBytes } from "node:crypto";
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { syncFolder } from "./atomic-file.js";
import { AtomicWriteError, describeFsFailure } from "./errors.js";

/*
 * A folder is replaced whole, never file by file (a crash between two file renames would pair a new
 * config.json with old weights). Beside `<name>` live, for the time of one write:
 *   .<name>.tmp-<pid>-<random>   the new folder being filled
 *   .<name>.old-<pid>-<random>   the folder it replaces, moved aside between the two renames
 * A process killed between those renames leaves no `<name>` and a complete `.<name>.old-*`.
 */

export type SideKind = "tmp" | "old";

function sidePrefix(target: string, kind: SideKind): string {
  return `.${basename(target)}.${kind}-`;
}

function sideName(target: string, kind: SideKind): string {
  return join(dirname(target), `${sidePrefix(target, kind)}${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** What a hidden side folder's name says: which folder it belongs to and whether it is a write or an old copy. */
export function parseSideName(name: string): { target: string; kind: SideKind } | undefined {
  const match = /^\.(.+)\.(tmp|old)-[\w-]*$/.exec(name);
  if (match === null) return undefined;
  return { target: match[1] as string, kind: match[2] as SideKind };
}

/** The `.<name>.old-*` folders beside `target`, newest first. */
function asideFolders(target: string): string[] {
  const parent = dirname(target);
  if (!existsSync(parent)) return [];
  const prefix = sidePrefix(target, "old");
  return readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(parent, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/** Where the last complete write of a folder lies; `interrupted` when that is aside (see findCompleteFolder). */
export interface CompleteFolder {
  path: string;
  interrupted: boolean;
}

/**
 * Where the last complete write of `dir` lies, changing nothing (for readers: loading never modifies what
 * it loads). That is `dir` itself when it exists; when a write was killed between its two renames, `dir`
 * is missing and the previous folder, complete, is the newest `.<name>.old-*` beside it. Undefined when
 * there is neither. The next write to `dir` puts it back (recoverInterruptedSwap).
 */
export function findCompleteFolder(dir: string): CompleteFolder | undefined {
  const target = resolve(dir);
  if (existsSync(target)) return { path: target, interrupted: false };
  const newest = asideFolders(target)[0];
  return newest === undefined ? undefined : { path: newest, interrupted: true };
}

/**
 * Finishes what a write killed between its two renames left (writers only, before writing): when `dir` is
 * missing and a `.<name>.old-*` folder is beside it, the newest one is renamed back. Returns true when it
 * restored a folder.
 */
export function recoverInterruptedSwap(dir: string): boolean {
  const target = resolve(dir);
  if (existsSync(target)) return false;
  const newest = asideFolders(target)[0];
  if (newest === undefined) return false;
  renameSync(newest, target);
  syncFolder(dirname(target));
  return true;
}

/** Old folders of finished writes (their replacement is in place), left by a crash just before their removal. */
function removeStaleAside(target: string): void {
  for (const path of asideFolders(target)) rmSync(path, { recursive: true, force: true });
}

/** Entries of the replaced folder that the new write lacks go along: hard links where possible, else copies. */
function carryOver(from: string, into: string): void {
  for (const name of readdirSync(from)) {
    const destination = join(into, name);
    if (existsSync(destination)) continue;
    const source = join(from, name);
    if (statSync(source).isDirectory()) {
      cpSync(source, destination, { recursive: true });
      continue;
    }
    try {
      linkSync(source, destination);
    } catch {
      // file systems without hard links (some network and FAT mounts)
      cpSync(source, destination);
    }
  }
}

export interface WriteFolderOptions {
  /**
   * Keep the entries of the folder being replaced that the new write does not produce (a tokenizer saved
   * beside a model survives a new savePretrained). Off: the folder becomes exactly what `write` wrote.
   */
  keepOtherEntries?: boolean;
}

/**
 * Fills `dir` so that no reader ever sees a half-written or mixed folder. `write` fills a fresh hidden
 * folder beside `dir`; a missing (or empty) `dir` becomes that folder by one rename. An existing `dir` is
 * renamed aside, the new folder renamed in, and the old one removed; a crash between the two renames
 * leaves the old folder complete aside, where findCompleteFolder finds it and the next write puts it back.
 * On failure the new folder is removed, `dir` is left as it was, and an AtomicWriteError says why.
 */
export async function writeFolderAtomically(
  dir: string,
  write: (tmp: string) => Promise<void> | void,
  options: WriteFolderOptions = {},
): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  recoverInterruptedSwap(target);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new AtomicWriteError("NOT_A_FOLDER", target, `${target} exists and is not a folder; a folder path is needed`);
  }
  const tmp = sideName(target, "tmp");
  mkdirSync(tmp);
  try {
    await write(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new AtomicWriteError(
      "WRITE_FAILED",
      target,
      `writing ${target} failed, nothing was changed there: ${describeFsFailure(error, parent)}`,
      { cause: error },
    );
  }
  try {
    // An empty folder (e.g. one made ready for the output) holds nothing to keep.
    if (existsSync(target) && readdirSync(target).length === 0) rmdirSync(target);
    if (!existsSync(target)) {
      renameSync(tmp, target);
      syncFolder(parent);
      return;
    }
    removeStaleAside(target);
    if (options.keepOtherEntries === true) carryOver(target, tmp);
    const old = sideName(target, "old");
    renameSync(target, old);
    try {
      renameSync(tmp, target);
    } catch (error) {
      renameSync(old, target);
      throw error;
    }
    syncFolder(parent);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    throw new AtomicWriteError(
      "SWAP_FAILED",
      target,
      `moving the written files from ${tmp} into ${target} failed: ${describeFsFailure(error, parent)}`,
      { cause: error },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
