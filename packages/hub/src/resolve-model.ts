import { readFile, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import type { ListFileEntry } from "@huggingface/hub";
import { repoFolder, snapshotFolder, writeRef } from "./cache-layout.js";
import { lookupCache, shardPath } from "./cache-lookup.js";
import { cacheIoError, downloadIntoCache } from "./download-file.js";
import type { ProgressCallback } from "./download-file.js";
import { HubError } from "./errors.js";
import { fetchCommit, isTransient, listRepoFiles } from "./hub-api.js";
import type { HubContext } from "./hub-api.js";
import { assertSafeRepoPath, assertValidModelId, assertValidRevision, isCommitHash } from "./names.js";
import { DEFAULT_RETRY, withRetry } from "./retry.js";
import { CONFIG_FILE, chooseWeights, isWeightsIndex, shardsOfIndex, TOKENIZER_FILES } from "./select-files.js";
import { resolveSettings } from "./settings.js";

export interface ResolveModelOptions {
  /** Branch, tag or commit hash. Default "main". */
  revision?: string;
  /** The hub cache folder (the one holding `models--org--name`). Default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Use the cache only, never the network. Default: HF_HUB_OFFLINE (1/ON/YES/TRUE). */
  offline?: boolean;
  /** Hub endpoint. Default: HF_ENDPOINT, else https://huggingface.co. */
  hubUrl?: string;
  /** Sent as `Authorization: Bearer`; never put in messages. Default: HF_TOKEN. */
  token?: string;
  /**
   * Fetch these repository files instead of config + tokenizer files + weights; names the
   * repository lacks are skipped (at least one must exist). A safetensors index brings its shards.
   */
  files?: string[];
  /** Called as bytes arrive. */
  onProgress?: ProgressCallback;
  /** Replaces the global fetch for every request. */
  fetch?: typeof fetch;
  /** Further tries after a network error or 5xx/429. Default 4. */
  retries?: number;
  /** First wait between tries, doubling each time up to 16 s. Default 500. */
  retryDelayMs?: number;
}

/** Something the caller meant as a path rather than a Hub id: no id has these shapes. */
function looksLikePath(idOrPath: string): boolean {
  return (
    isAbsolute(idOrPath) ||
    /^\.{1,2}([\\/]|$)/.test(idOrPath) ||
    idOrPath.startsWith("~") ||
    idOrPath.includes("\\") ||
    idOrPath.split("/").length > 2
  );
}

async function localFolder(idOrPath: string): Promise<string | undefined> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(idOrPath)).isDirectory();
  } catch {
    if (looksLikePath(idOrPath)) {
      throw new HubError("NOT_FOUND", `local folder ${idOrPath} does not exist`, { modelId: idOrPath });
    }
    return undefined;
  }
  if (!isDirectory) {
    throw new HubError("INVALID_ARGUMENT", `${idOrPath} is a file; expected a model folder or a Hub model id`, {
      modelId: idOrPath,
    });
  }
  return idOrPath;
}

/**
 * A local folder holding config.json, the tokenizer files the model has and its safetensors
 * weights. An existing folder is returned unchanged; a Hub model id is fetched into (or found in)
 * the huggingface_hub-style cache and its snapshot folder returned.
 */
export async function resolveModel(idOrPath: string, options: ResolveModelOptions = {}): Promise<string> {
  const local = await localFolder(idOrPath);
  if (local !== undefined) return local;

  const modelId = idOrPath;
  assertValidModelId(modelId);
  const revision = options.revision ?? "main";
  assertValidRevision(modelId, revision);
  for (const file of options.files ?? []) assertSafeRepoPath(file, "the files option", { modelId, revision });
  if (options.files !== undefined && options.files.length === 0) {
    throw new HubError("INVALID_ARGUMENT", `the files option for ${modelId} is empty`, { modelId, revision });
  }

  const settings = resolveSettings(options);
  const repo = repoFolder(settings.cacheDir, modelId);
  const ids = { modelId, revision };

  if (settings.offline) {
    const cached = await lookupCache(repo, ids, options.files);
    if (cached.folder !== undefined) return cached.folder;
    throw new HubError(
      "OFFLINE_CACHE_MISS",
      `offline (HF_HUB_OFFLINE or { offline: true }) and ${modelId} (revision ${revision}) is not complete in the cache ` +
        `${settings.cacheDir}: ${cached.missing}. Run once online, or point HF_HUB_CACHE/HF_HOME/cacheDir at a cache that has it`,
      { ...ids, cachePath: repo },
    );
  }

  // A commit never changes, so a complete snapshot of one needs no request at all.
  if (isCommitHash(revision)) {
    const cached = await lookupCache(repo, ids, options.files);
    if (cached.folder !== undefined) return cached.folder;
  }

  const ctx: HubContext = {
    ...ids,
    settings,
    fetch: options.fetch ?? globalThis.fetch,
    retry: {
      ...DEFAULT_RETRY,
      retries: options.retries ?? DEFAULT_RETRY.retries,
      delayMs: options.retryDelayMs ?? DEFAULT_RETRY.delayMs,
    },
  };

  let commit: string;
  try {
    commit = await withRetry(() => fetchCommit(ctx), isTransient, ctx.retry);
  } catch (error) {
    // As huggingface_hub does: when the Hub cannot be reached, a complete cached snapshot still serves.
    if (error instanceof HubError && error.code === "NETWORK") {
      const cached = await lookupCache(repo, ids, options.files);
      if (cached.folder !== undefined) return cached.folder;
    }
    throw error;
  }

  const listing = await withRetry(() => listRepoFiles(ctx, commit), isTransient, ctx.retry);
  const get = (file: string, why: string): ListFileEntry => {
    const entry = listing.get(file);
    if (entry === undefined) {
      throw new HubError("NOT_FOUND", `${modelId} (revision ${revision}, commit ${commit}) has no ${file} (${why})`, {
        ...ids,
        file,
      });
    }
    return entry;
  };

  let plan: ListFileEntry[];
  if (options.files !== undefined) {
    plan = options.files.filter((file) => listing.has(file)).map((file) => get(file, "files option"));
    if (plan.length === 0) {
      throw new HubError(
        "NOT_FOUND",
        `${modelId} (revision ${revision}, commit ${commit}) has none of the requested files: ${options.files.join(", ")}`,
        ids,
      );
    }
  } else {
    const config = get(CONFIG_FILE, "every model needs one");
    const weights = chooseWeights((name) => listing.has(name), { ...ids, where: `revision ${revision}` });
    const tokenizer = TOKENIZER_FILES.filter((name) => listing.has(name)).map((name) => get(name, "tokenizer file"));
    plan = [config, ...tokenizer, get(weights.file, "weights")];
  }

  const snapshot = snapshotFolder(repo, commit);
  for (const entry of plan) {
    const job = { ctx, repo, commit, onProgress: options.onProgress };
    const pointer = await downloadIntoCache({ ...job, entry });
    if (!isWeightsIndex(entry.path)) continue;
    const shards = shardsOfIndex(await readFile(pointer, "utf8"), { ...ids, file: entry.path });
    for (const shard of shards.map((name) => shardPath(entry.path, name))) {
      const shardEntry = get(shard, `named by ${entry.path}`);
      await downloadIntoCache({ ...job, entry: shardEntry });
    }
  }

  if (revision !== commit) {
    try {
      await writeRef(repo, revision, commit);
    } catch (error) {
      throw cacheIoError(ctx, `refs/${revision}`, repo, error);
    }
  }
  return snapshot;
}
