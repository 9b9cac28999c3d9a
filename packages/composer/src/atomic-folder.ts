import { randomBytes } from "node:crypto";
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ComposerError } from "./errors.js";

/** Hidden names beside `target`: `.<name>.tmp-*` while a save is written, `.<name>.old-*` while it replaces the old folder. */
function sidePrefix(target: string, kind: "tmp" | "old"): string {
  return `.${basename(target)}.${kind}-`;
}

function sideName(target: string, kind: "tmp" | "old"): string {
  return join(dirname(target), `${sidePrefix(target, kind)}${process.pid}-${randomBytes(4).toString("hex")}`);
}

/**
 * Undoes a save that was killed between moving the old folder aside and moving the new one in: when
 * `dir` is missing but a `.<name>.old-*` folder is beside it, that (complete) old folder is put back.
 * Called before every save and load, so a crash at any moment leaves the previous files readable.
 * Returns true when it restored a folder.
 */
export function recoverInterruptedSave(dir: string): boolean {
  const target = resolve(dir);
  const parent = dirname(target);
  if (existsSync(target) || !existsSync(parent)) return false;
  const prefix = sidePrefix(target, "old");
  const olds = readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(parent, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const newest = olds[0];
  if (newest === undefined) return false;
  renameSync(newest, target);
  return true;
}

/** Old folders of finished saves (their replacement is in place), left by a crash just before their removal. */
function removeStaleOld(target: string): void {
  const parent = dirname(target);
  const prefix = sidePrefix(target, "old");
  for (const name of readdirSync(parent)) {
    if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/** Entries of the old folder that the new save does not write (a tokenizer saved beside the model) go along. */
function carryOver(from: string, into: string): void {
  for (const name of readdirSync(from)) {
    const destination = join(into, name);
    if (existsSync(destination)) continue;
    const source = join(from, name);
    try {
      if (statSync(source).isDirectory()) throw new Error("folders are copied");
      linkSync(source, destination);
    } catch {
      cpSync(source, destination, { recursive: true });
    }
  }
}

/**
 * Fills `dir` so that a reader never sees a half-written or mixed checkpoint: `write` fills a fresh
 * temporary folder beside `dir`. A new `dir` is that folder renamed. An existing `dir` is replaced
 * whole, not file by file (a crash between two file renames would pair a new config.json with old
 * weights): its other files are linked into the new folder, it is renamed aside, the new folder is
 * renamed in, and the old one removed. A crash between the two renames leaves only the old folder
 * aside, which `recoverInterruptedSave` (run by every save and load) puts back. On failure the
 * temporary folder is removed and `dir` is left as it was.
 */
export async function writeFolderAtomically(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  recoverInterruptedSave(target);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new ComposerError("SAVE_FAILED", `${target} exists and is not a folder; savePretrained needs a folder path`);
  }
  const tmp = sideName(target, "tmp");
  mkdirSync(tmp);
  try {
    await write(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // A full disk is said in words ("ENOSPC: no space left on device, write" names neither the folder nor a fix).
    const why =
      (error as NodeJS.ErrnoException).code === "ENOSPC"
        ? `the disk is full (ENOSPC) under ${parent}; free some space and save again`
        : (error as Error).message;
    throw new ComposerError("SAVE_FAILED", `saving to ${target} failed, nothing was changed there: ${why}`);
  }
  try {
    // An empty folder (e.g. the trainer's checkpoint folder in the making) holds nothing to keep.
    if (existsSync(target) && readdirSync(target).length === 0) rmdirSync(target);
    if (!existsSync(target)) {
      renameSync(tmp, target);
      return;
    }
    removeStaleOld(target);
    carryOver(target, tmp);
    const old = sideName(target, "old");
    renameSync(target, old);
    try {
      renameSync(tmp, target);
    } catch (error) {
      renameSync(old, target);
      throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    throw new ComposerError(
      "SAVE_FAILED",
      `moving the saved files from ${tmp} into ${target} failed: ${(error as Error).message}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
