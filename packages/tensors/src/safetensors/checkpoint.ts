import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { openPytorchBin, type OpenPytorchBinOptions } from "../pytorch/bin.js";
import { SafetensorsError } from "./errors.js";
import {
  openSafetensors,
  type OpenSafetensorsOptions,
  type SafetensorsFile,
  type TensorInfo,
  type TensorSource,
} from "./read.js";

/** A checkpoint folder's weights: `model.safetensors`, or the shards its index names. */
export type Checkpoint = TensorSource;

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";
export const PYTORCH_FILE = "pytorch_model.bin";
export const PYTORCH_INDEX_FILE = "pytorch_model.bin.index.json";

export type OpenCheckpointOptions = OpenSafetensorsOptions & OpenPytorchBinOptions;

/**
 * Opens the weights of a Hugging Face checkpoint folder, in transformers' order: `model.safetensors`, the
 * sharded `model.safetensors.index.json`, then PyTorch `pytorch_model.bin` and its sharded
 * `pytorch_model.bin.index.json` (torch.save zip files, read by a restricted unpickler that runs nothing;
 * see `openPytorchBin`).
 */
export async function openCheckpoint(dir: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  const single = join(dir, SINGLE_FILE);
  if (existsSync(single)) return openSafetensors(single, options);
  const index = join(dir, INDEX_FILE);
  if (existsSync(index)) return openSharded(dir, index, (path) => openSafetensors(path, options));
  const bin = join(dir, PYTORCH_FILE);
  if (existsSync(bin)) return openPytorchBin(bin, options);
  const binIndex = join(dir, PYTORCH_INDEX_FILE);
  if (existsSync(binIndex)) return openSharded(dir, binIndex, (path) => openPytorchBin(path, options));
  throw new SafetensorsError(
    "MISSING_WEIGHTS",
    dir,
    `no ${SINGLE_FILE}, ${INDEX_FILE}, ${PYTORCH_FILE} or ${PYTORCH_INDEX_FILE} in the folder`,
  );
}

async function openSharded(
  dir: string,
  indexPath: string,
  open: (path: string) => Promise<SafetensorsFile>,
): Promise<Checkpoint> {
  const { weightMap, metadata } = readIndex(indexPath);
  const root = resolve(dir);
  const shards = new Map<string, SafetensorsFile>();
  try {
    for (const shard of new Set(weightMap.values())) {
      const shardPath = resolve(root, shard);
      const rel = relative(root, shardPath);
      if (isAbsolute(shard) || rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
        throw new SafetensorsError(
          "INVALID_INDEX",
          indexPath,
          `shard path ${JSON.stringify(shard)} leaves the checkpoint folder`,
        );
      }
      if (!existsSync(shardPath)) {
        throw new SafetensorsError(
          "INVALID_INDEX",
          indexPath,
          `shard ${JSON.stringify(shard)} does not exist in ${dir}`,
        );
      }
      shards.set(shard, await open(shardPath));
    }
    for (const [name, shard] of weightMap) {
      if (!(shards.get(shard) as SafetensorsFile).has(name)) {
        throw new SafetensorsError(
          "INVALID_INDEX",
          indexPath,
          `the index puts this tensor in ${shard}, which lacks it`,
          name,
        );
      }
    }
  } catch (error) {
    for (const file of shards.values()) file.close();
    throw error;
  }
  return new ShardedCheckpoint(resolve(dir), metadata, weightMap, shards);
}

function readIndex(indexPath: string): { weightMap: Map<string, string>; metadata: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (cause) {
    throw new SafetensorsError("INVALID_INDEX", indexPath, `not valid JSON (${(cause as Error).message})`, undefined, {
      cause,
    });
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
    throw new SafetensorsError(
      "INVALID_INDEX",
      indexPath,
      "expected an object with a weight_map {tensor name: shard file}",
    );
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string") {
      throw new SafetensorsError(
        "INVALID_INDEX",
        indexPath,
        `weight_map entry must be a file name, got ${typeof shard}`,
        name,
      );
    }
    map.set(name, shard);
  }
  // HF indexes carry {"total_size": <number>}; metadata here is string-valued like a file's __metadata__.
  const metadata: Record<string, string> = {};
  const raw = (json as { metadata?: unknown }).metadata;
  if (typeof raw === "object" && raw !== null) {
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === "string" || typeof value === "number") metadata[key] = String(value);
    }
  }
  return { weightMap: map, metadata };
}

class ShardedCheckpoint implements Checkpoint {
  readonly path: string;
  readonly metadata: Record<string, string>;
  readonly #weightMap: Map<string, string>;
  readonly #shards: Map<string, SafetensorsFile>;

  constructor(
    path: string,
    metadata: Record<string, string>,
    weightMap: Map<string, string>,
    shards: Map<string, SafetensorsFile>,
  ) {
    this.path = path;
    this.metadata = metadata;
    this.#weightMap = weightMap;
    this.#shards = shards;
  }

  names(): string[] {
    return [...this.#weightMap.keys()];
  }

  has(name: string): boolean {
    return this.#weightMap.has(name);
  }

  info(name: string): TensorInfo {
    return this.#shardOf(name).info(name);
  }

  tensor(name: string): tf.Tensor {
    return this.#shardOf(name).tensor(name);
  }

  close(): void {
    for (const shard of this.#shards.values()) shard.close();
  }

  #shardOf(name: string): SafetensorsFile {
    const shard = this.#weightMap.get(name);
    if (shard === undefined) {
      throw new SafetensorsError("UNKNOWN_TENSOR", this.path, "no tensor of that name in the checkpoint's index", name);
    }
    return this.#shards.get(shard) as SafetensorsFile;
  }
}
