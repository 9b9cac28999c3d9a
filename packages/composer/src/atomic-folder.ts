import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ComposerError } from "./errors.js";

/**
 * Fills `dir` so that a reader never sees a half-written checkpoint: `write` fills a fresh temporary folder
 * beside `dir`; on success that folder becomes `dir` in one rename (or, when `dir` already exists, each
 * finished file is renamed into it, replacing the old file of the same name in one step). On failure the
 * temporary folder is removed and `dir` is left as it was.
 */
export async function writeFolderAtomically(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new ComposerError("SAVE_FAILED", `${target} exists and is not a folder; savePretrained needs a folder path`);
  }
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  try {
    await write(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw new ComposerError("SAVE_FAILED", `saving to ${target} failed, nothing was changed there: ${(error as Error).message}`);
  }
  try {
    if (!existsSync(target)) {
      renameSync(tmp, target);
      return;
    }
    for (const name of readdirSync(tmp)) renameSync(join(tmp, name), join(target, name));
  } catch (error) {
    throw new ComposerError("SAVE_FAILED", `moving the saved files from ${tmp} into ${target} failed: ${(error as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
