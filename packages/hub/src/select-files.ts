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
export const PYTORCH_FILE = "pytorch_model.bin";
export const PYTORCH_INDEX_FILE = "pytorch_model.bin.index.json";
/** The weight files a repository may have, in the order transformers' `from_pretrained` prefers them. */
export const WEIGHT_FILES = [SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE, PYTORCH_FILE, PYTORCH_INDEX_FILE] as const;

export interface WeightsChoice {
  /** The weights file, or the index whose shards come with it. */
  file: string;
  sharded: boolean;
}

/** Whether `file` is a shard index (`*.safetensors.index.json` or `*.bin.index.json`). */
export function isWeightsIndex(file: string): boolean {
  return file.endsWith(".safetensors.index.json") || file.endsWith(".bin.index.json");
}

/**
 * The weights to fetch, in transformers' order: safetensors (read without running code, mapped tensor by tensor)
 * over PyTorch pickles, a single file over an index. Checkpoints saved before transformers 4.35 have only
 * `pytorch_model.bin`: it is fetched then, and @warmstart/tensors reads it with a restricted unpickler that
 * executes nothing.
 */
export function chooseWeights(
  has: (name: string) => boolean,
  details: { modelId: string; revision?: string; where: string },
): WeightsChoice {
  const file = WEIGHT_FILES.find(has);
  if (file !== undefined) return { file, sharded: isWeightsIndex(file) };
  const { where, ...ids } = details;
  throw new HubError(
    "NO_WEIGHTS",
    `${details.modelId} (${where}) has no weights: expected one of ${WEIGHT_FILES.join(", ")}`,
    ids,
  );
}

/** The distinct shard files a `model.safetensors.index.json` (or `pytorch_model.bin.index.json`) names, each checked to stay inside the repository. */
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
