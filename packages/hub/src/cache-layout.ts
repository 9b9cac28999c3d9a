import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat, symlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { writeFileAtomically } from "@warmstart/core/fs";

/*
 * huggingface_hub's cache layout, so that a cache filled by Python serves Node and back:
 *   <cacheDir>/models--org--name/refs/<revision>          text file holding a commit hash
 *   <cacheDir>/models--org--name/blobs/<etag>             file contents, named by git or LFS oid
 *   <cacheDir>/models--org--name/snapshots/<commit>/<f>   relative symlink to ../../blobs/<etag>
 */

export function repoFolder(cacheDir: string, modelId: string): string {
  return join(cacheDir, `models--${modelId.split("/").join("--")}`);
}

export function snapshotFolder(repo: string, commit: string): string {
  return join(repo, "snapshots", commit);
}

export function blobPath(repo: string, etag: string): string {
  return join(repo, "blobs", etag);
}

/** A name beside `path` that no other writer (thread, process) picks. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString("hex")}.incomplete`;
}

export async function readRef(repo: string, revision: string): Promise<string | undefined> {
  try {
    return (await readFile(join(repo, "refs", revision), "utf8")).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written last, and atomically (a failed write, e.g. a full disk, leaves the ref as it was and no temporary),
 * so that a ref never points at a snapshot still being filled.
 */
export async function writeRef(repo: string, revision: string, commit: string): Promise<void> {
  const path = join(repo, "refs", revision);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomically(path, commit);
}

/** Size of the file at `path` after following links, or undefined when it (or its target) is absent. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Points `pointer` at `blob` with a relative link, as huggingface_hub does; where links are not
 * allowed (Windows without developer mode) the blob is copied instead. The link or copy is made
 * under a temp name and renamed over the pointer, so that a concurrent writer never sees a
 * missing pointer, and a copy never goes through an existing link onto the blob itself.
 */
export async function linkIntoSnapshot(blob: string, pointer: string): Promise<void> {
  await mkdir(dirname(pointer), { recursive: true });
  const temp = tempPathFor(pointer);
  try {
    try {
      await symlink(relative(dirname(pointer), blob), temp);
    } catch {
      await copyFile(blob, temp);
    }
    await rename(temp, pointer);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
