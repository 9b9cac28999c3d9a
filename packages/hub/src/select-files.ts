import { HubError } from "./errors.js";
import { assertSafeRepoPath } from "./names.js";

/** Fetched when the repository has them; none is required. */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "generation_config.json",
] as const;

export const CONFIG_FILE = "config.json";
export const SAFETENSORS_FILE = "model.safetensors";
export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";
const PYTORCH_FILES = ["pytorch_model.bin", "pytorch_model.bin.index.json"];

export interface WeightsChoice {
  /** `model.safetensors`, or the safetensors index whose shards come with it. */
  file: string;
  sharded: boolean;
}

/**
 * Safetensors over PyTorch pickles: safetensors can be read without running code and mapped
 * tensor by tensor. A single file wins over an index when a repository has both.
 */
export function chooseWeights(
  has: (name: string) => boolean,
  details: { modelId: string; revision?: string; where: string },
): WeightsChoice {
  if (has(SAFETENSORS_FILE)) return { file: SAFETENSORS_FILE, sharded: false };
  if (has(SAFETENSORS_INDEX_FILE)) return { file: SAFETENSORS_INDEX_FILE, sharded: true };
  const pytorch = PYTORCH_FILES.filter(has);
  const { where, ...ids } = details;
  if (pytorch.length > 0) {
    throw new HubError(
      "ONLY_PYTORCH_WEIGHTS",
      `${details.modelId} (${where}) has only PyTorch weights (${pytorch.join(", ")}) and no ${SAFETENSORS_FILE}; ` +
        `warmstart reads safetensors only. Convert once in Python with ` +
        `AutoModel.from_pretrained(...).save_pretrained(dir, safe_serialization=True) and pass that folder, ` +
        `or pick a revision that has safetensors (the Hub's conversion bot opens them as refs/pr/N)`,
      ids,
    );
  }
  throw new HubError(
    "NO_WEIGHTS",
    `${details.modelId} (${where}) has no weights: expected ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE}`,
    ids,
  );
}

/** The distinct shard files a `model.safetensors.index.json` names, each checked to stay inside the repository. */
export function shardsOfIndex(text: string, details: { modelId: string; revision?: string; file: string }): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HubError(
      "HTTP",
      `${details.file} of ${details.modelId} is not valid JSON: ${(error as Error).message}`,
      details,
    );
  }
  const weightMap = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    throw new HubError("HTTP", `${details.file} of ${details.modelId} has no "weight_map" object`, details);
  }
  const shards = new Set<string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string") {
      throw new HubError(
        "HTTP",
        `${details.file} of ${details.modelId}: weight_map["${tensor}"] should be a file name, got ${JSON.stringify(shard)}`,
        details,
      );
    }
    assertSafeRepoPath(shard, details.file, details);
    shards.add(shard);
  }
  return [...shards].sort();
}
