import { createHash } from "node:crypto";
import type { Hash } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { downloadFile, fileDownloadInfo } from "@huggingface/hub";
import type { ListFileEntry } from "@huggingface/hub";
import { blobPath, fileSize, linkIntoSnapshot, snapshotFolder, tempPathFor } from "./cache-layout.js";
import { HubError } from "./errors.js";
import { clientParams, isTransient, repoOf, toHubError } from "./hub-api.js";
import type { HubContext } from "./hub-api.js";
import { withRetry } from "./retry.js";

export interface DownloadProgress {
  /** Repository path of the file, e.g. "model.safetensors". */
  file: string;
  /** Bytes written so far in the current try (it restarts at 0 after a retry). */
  loaded: number;
  /** Size of the file, when the server said. */
  total?: number;
}

export type ProgressCallback = (event: DownloadProgress) => void;

/** One repository file to put into the snapshot of `commit` inside the cache folder `repo`. */
export interface FileJob {
  ctx: HubContext;
  entry: ListFileEntry;
  repo: string;
  commit: string;
  onProgress: ProgressCallback | undefined;
}

/** The hash the listing promises for a file: LFS oids are sha256 of the bytes, git oids sha1 of "blob <size>\0" + bytes. */
interface ExpectedHash {
  algorithm: "sha256" | "sha1";
  digest: string;
  gitHeader: boolean;
}

function expectedHash(entry: ListFileEntry): ExpectedHash | undefined {
  if (entry.lfs !== undefined && /^[0-9a-f]{64}$/.test(entry.lfs.oid)) {
    return { algorithm: "sha256", digest: entry.lfs.oid, gitHeader: false };
  }
  if (entry.lfs === undefined && entry.oid !== undefined && /^[0-9a-f]{40}$/.test(entry.oid)) {
    return { algorithm: "sha1", digest: entry.oid, gitHeader: true };
  }
  return undefined;
}

/** Blobs are named as huggingface_hub names them, so a cache shared with Python holds each blob once. */
function blobName(entry: ListFileEntry, serverEtag: string | undefined, ctx: HubContext): string {
  const raw = entry.lfs?.oid ?? entry.oid ?? entry.xetHash ?? serverEtag;
  const name = raw?.replace(/^W\//, "").replace(/"/g, "");
  // The name becomes a file in blobs/: an ETag from an odd server must not be a path.
  if (name === undefined || !/^[A-Za-z0-9._-]+$/.test(name) || /^\.+$/.test(name)) {
    throw new HubError(
      "UNSAFE_PATH",
      `refusing ${entry.path} of ${ctx.modelId}: its oid/ETag ${JSON.stringify(raw)} is not a plain file name`,
      { modelId: ctx.modelId, revision: ctx.revision, file: entry.path },
    );
  }
  return name;
}

/**
 * Puts `entry` into the snapshot of `commit`, downloading it unless the snapshot or the blob store
 * has it already. Bytes go to a temp file beside the blob and are renamed only when complete and
 * matching the listing's size and hash, so a cut transfer never leaves a file that looks whole.
 */
export async function downloadIntoCache(job: FileJob): Promise<string> {
  const { ctx, entry, repo, commit } = job;
  const pointer = join(snapshotFolder(repo, commit), entry.path);
  if ((await fileSize(pointer)) === entry.size) return pointer;
  const knownName = entry.lfs?.oid ?? entry.oid ?? entry.xetHash;
  if (knownName !== undefined) {
    const blob = blobPath(repo, blobName(entry, undefined, ctx));
    if ((await fileSize(blob)) === entry.size) {
      await linkOrFail(ctx, entry.path, blob, pointer);
      return pointer;
    }
  }
  const blob = await withRetry(() => transferOnce(job), isTransient, ctx.retry);
  await linkOrFail(ctx, entry.path, blob, pointer);
  return pointer;
}

async function transferOnce({ ctx, entry, repo, commit, onProgress }: FileJob): Promise<string> {
  const params = { ...clientParams(ctx), repo: repoOf(ctx), path: entry.path, revision: commit };
  let source: Blob;
  let total: number;
  let etag: string;
  try {
    // Asked afresh on every try: the Hub answers with signed CDN addresses that expire.
    const info = await fileDownloadInfo(params);
    const blob = info === null ? null : await downloadFile({ ...params, downloadInfo: info });
    if (info === null || blob === null) {
      throw new HubError(
        "NOT_FOUND",
        `file ${entry.path} of ${ctx.modelId} (commit ${commit}) was not found at ${ctx.settings.hubUrl}`,
        {
          modelId: ctx.modelId,
          revision: ctx.revision,
          file: entry.path,
        },
      );
    }
    source = blob;
    total = info.size;
    etag = info.etag;
  } catch (error) {
    throw toHubError(error, ctx, entry.path, entry.path);
  }

  const blob = blobPath(repo, blobName(entry, etag, ctx));
  const temp = tempPathFor(blob);
  const expected = expectedHash(entry);
  const hash: Hash | undefined = expected && createHash(expected.algorithm);
  if (expected?.gitHeader) hash?.update(`blob ${total}\0`);
  let loaded = 0;
  let callbackFailure: { error: unknown } | undefined;
  const report = (): void => {
    try {
      onProgress?.({ file: entry.path, loaded, total });
    } catch (error) {
      callbackFailure = { error };
      throw error;
    }
  };

  // Reads and writes are awaited separately so that a failure is known to be the network's or the disk's.
  const file = await openTemp(ctx, entry.path, blob, temp);
  try {
    report();
    for await (const chunk of source.stream() as AsyncIterable<Uint8Array>) {
      hash?.update(chunk);
      try {
        await file.write(chunk);
      } catch (error) {
        throw cacheIoError(ctx, entry.path, temp, error);
      }
      loaded += chunk.length;
      if (loaded > total) break;
      report();
    }
    await closeOrFail(ctx, entry.path, temp, file);
    if (loaded !== total) {
      throw new HubError(
        "NETWORK",
        `${entry.path} of ${ctx.modelId} sent ${loaded} bytes, the server announced ${total}`,
        {
          modelId: ctx.modelId,
          revision: ctx.revision,
          file: entry.path,
        },
      );
    }
    const digest = hash?.digest("hex");
    if (expected !== undefined && digest !== expected.digest) {
      throw new HubError(
        "INTEGRITY",
        `${entry.path} of ${ctx.modelId} (commit ${commit}) has ${expected.algorithm} ${digest}, the listing says ${expected.digest}`,
        { modelId: ctx.modelId, revision: ctx.revision, file: entry.path },
      );
    }
    try {
      await rename(temp, blob);
    } catch (error) {
      throw cacheIoError(ctx, entry.path, blob, error);
    }
    return blob;
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    // Errors of the progress callback are the caller's own: they pass unchanged and are not retried.
    if (callbackFailure !== undefined) throw callbackFailure.error;
    // Anything else not already a HubError came from reading the response.
    throw toHubError(error, ctx, entry.path, entry.path);
  }
}

async function openTemp(ctx: HubContext, file: string, blob: string, temp: string): Promise<FileHandle> {
  try {
    await mkdir(dirname(blob), { recursive: true });
    return await open(temp, "w");
  } catch (error) {
    throw cacheIoError(ctx, file, temp, error);
  }
}

async function closeOrFail(ctx: HubContext, file: string, temp: string, handle: FileHandle): Promise<void> {
  try {
    await handle.close();
  } catch (error) {
    throw cacheIoError(ctx, file, temp, error);
  }
}

/** A failed write into the cache, naming the file, the model and the cache path (shared with resolve-model's ref write). */
export function cacheIoError(ctx: HubContext, file: string, path: string, cause: unknown): HubError {
  // A full disk is said in words ("ENOSPC: no space left on device, write" names no way out).
  const message =
    (cause as NodeJS.ErrnoException | undefined)?.code === "ENOSPC"
      ? "the disk is full (ENOSPC); free some space or set HF_HUB_CACHE to a cache on another disk"
      : cause instanceof Error
        ? cause.message
        : String(cause);
  return new HubError("CACHE_IO", `cannot write ${file} of ${ctx.modelId} to the cache at ${path}: ${message}`, {
    modelId: ctx.modelId,
    revision: ctx.revision,
    file,
    cachePath: ctx.settings.cacheDir,
    cause,
  });
}

async function linkOrFail(ctx: HubContext, file: string, blob: string, pointer: string): Promise<void> {
  try {
    await linkIntoSnapshot(blob, pointer);
  } catch (error) {
    throw cacheIoError(ctx, file, pointer, error);
  }
}
