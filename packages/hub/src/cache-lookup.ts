import { readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { fileSize, readRef, snapshotFolder } from "./cache-layout.js";
import { assertSafeRepoPath, isCommitHash } from "./names.js";
import { CONFIG_FILE, chooseWeights, isWeightsIndex, shardsOfIndex, WEIGHT_FILES } from "./select-files.js";

export type CacheLookup = { folder: string } | { folder?: undefined; missing: string };

/** Shard names in an index are relative to the index's own folder. */
export function shardPath(index: string, shard: string): string {
  return posix.join(posix.dirname(index), shard);
}

/**
 * The snapshot that `revision` names in the cache, if it holds what `resolveModel` would have
 * fetched: config.json and complete weights, or (with `files`) at least one of the
 * named files. Tokenizer files are optional online too, so their absence does not count. A cache
 * filled by huggingface_hub is read the same way.
 */
export async function lookupCache(
  repo: string,
  ids: { modelId: string; revision: string },
  files: readonly string[] | undefined,
): Promise<CacheLookup> {
  const commit = isCommitHash(ids.revision) ? ids.revision : await readRef(repo, ids.revision);
  if (commit === undefined) return { missing: `no ${join(repo, "refs", ids.revision)}` };
  if (!isCommitHash(commit)) return { missing: `${join(repo, "refs", ids.revision)} does not hold a commit hash` };
  const folder = snapshotFolder(repo, commit);
  const present = async (name: string): Promise<boolean> => (await fileSize(join(folder, name))) !== undefined;

  let wanted: string[];
  if (files !== undefined) {
    wanted = [];
    for (const file of files) {
      assertSafeRepoPath(file, "the files option", ids);
      if (await present(file)) wanted.push(file);
    }
    if (wanted.length === 0) return { missing: `none of ${files.join(", ")} in ${folder}` };
  } else {
    if (!(await present(CONFIG_FILE))) return { missing: `no ${CONFIG_FILE} in ${folder}` };
    const found = new Set<string>();
    for (const name of WEIGHT_FILES) if (await present(name)) found.add(name);
    if (found.size === 0) return { missing: `no weights (${WEIGHT_FILES.join(", ")}) in ${folder}` };
    wanted = [chooseWeights((name) => found.has(name), { ...ids, where: `cache ${folder}` }).file];
  }

  for (const index of wanted.filter(isWeightsIndex)) {
    const shards = shardsOfIndex(await readFile(join(folder, index), "utf8"), { ...ids, file: index });
    for (const shard of shards.map((name) => shardPath(index, name))) {
      if (!(await present(shard))) return { missing: `shard ${shard} (named by ${index}) in ${folder}` };
    }
  }
  return { folder };
}
