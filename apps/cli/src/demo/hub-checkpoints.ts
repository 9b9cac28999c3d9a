// `warmstart demo --from-hub`: the demo's BERT and GPT-2 downloaded from the Hugging Face Hub (through
// @warmstart/hub, into the huggingface_hub cache) instead of the checkpoints bundled with warmstart.
import { access } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  HubError,
  resolveModel,
  resolveSettings,
  type DownloadProgress,
  type ResolveModelOptions,
} from "@warmstart/hub";
import { CliError } from "../framework/cli-error.js";
import type { CommandContext } from "../framework/context.js";
import type { ProgressBar } from "../framework/progress.js";
import type { DemoCheckpoints } from "./checkpoints-types.js";

/**
 * Google's BERT miniatures (Turc et al., 2019, "Well-Read Students Learn Better"), uncased, by the names the
 * paper gives them. Each repository holds config.json (Google's bert_config.json: no "model_type"), vocab.txt
 * (uncased WordPiece; no tokenizer.json, tokenizer_config.json or special_tokens_map.json), pytorch_model.bin,
 * tf_model.h5, flax_model.msgpack, README.md and .gitattributes. Of these only config.json, vocab.txt and the
 * weights are downloaded. The pytorch_model.bin files date from March 2020, before torch 1.6 made the zip format
 * the default (legacy torch.save, which @warmstart/tensors reads); where the Hub has since added a
 * model.safetensors (the safetensors conversion bot), @warmstart/hub's selection takes that instead.
 */
export const BERT_MINIATURES = {
  tiny: "google/bert_uncased_L-2_H-128_A-2",
  mini: "google/bert_uncased_L-4_H-256_A-4",
  small: "google/bert_uncased_L-4_H-512_A-8",
  medium: "google/bert_uncased_L-8_H-512_A-8",
} as const;

export type BertMiniature = keyof typeof BERT_MINIATURES;

/** BERT-Mini: 4 layers of width 256 (11M parameters), small enough to fine-tune on 2 CPU cores. */
export const DEFAULT_HUB_BERT: BertMiniature = "mini";

/**
 * DistilGPT2 (82M parameters, 6 layers of width 768, GPT-2's 50257-token byte-level BPE). The repository holds
 * config.json (model_type "gpt2"), model.safetensors, pytorch_model.bin, tokenizer.json, vocab.json, merges.txt,
 * generation_config.json, generation_config_for_text_generation.json, tf_model.h5, flax_model.msgpack,
 * rust_model.ot, 64*.tflite, coreml/…, README.md and .gitattributes; only config.json, the tokenizer files,
 * generation_config.json and model.safetensors are downloaded.
 */
export const DEFAULT_HUB_GPT2 = "distilbert/distilgpt2";

export interface HubCheckpointOptions {
  /** A miniature's name (tiny, mini, small, medium) or any BERT's Hub id. Default "mini". */
  bert?: string;
  /** A GPT-2's Hub id (default distilbert/distilgpt2), or null when the run needs no GPT-2. */
  gpt2?: string | null;
  /**
   * Passed to every download (a test's loopback hub, a cache folder). Without it the environment decides, as
   * for huggingface_hub: HF_ENDPOINT, HF_HOME / HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN.
   */
  hub?: Omit<ResolveModelOptions, "files" | "onProgress" | "revision">;
}

const OFFLINE_DEFAULT_HINT =
  "without --from-hub the demo warm-starts from the checkpoints bundled with warmstart and needs no network";

/** The Hub id of a `bert` option: a miniature's name, or an "org/name" id as it is (@warmstart/hub checks it). */
export function hubBertId(choice: string = DEFAULT_HUB_BERT): string {
  if (Object.hasOwn(BERT_MINIATURES, choice)) return BERT_MINIATURES[choice as BertMiniature];
  if (choice.includes("/")) return choice;
  throw new CliError(
    "USAGE",
    `BERT checkpoint "${choice}": expected one of ${Object.keys(BERT_MINIATURES).join(", ")} or a Hub id (org/name)`,
  );
}

/** The HubError of a download as a CliError that says what failed and that the offline default works. */
function downloadError(error: HubError, modelId: string, role: string): CliError {
  const what = `downloading the demo's ${role} ${modelId} from the Hugging Face Hub failed (${error.code}): ${error.message}`;
  switch (error.code) {
    case "NOT_FOUND":
    case "NO_WEIGHTS":
      return new CliError("UNKNOWN_MODEL", what, {
        hint: `check the id on https://huggingface.co/${modelId}; ${OFFLINE_DEFAULT_HINT}`,
        cause: error,
      });
    case "INVALID_ARGUMENT":
      return new CliError("USAGE", what, { hint: OFFLINE_DEFAULT_HINT, cause: error });
    case "OFFLINE_CACHE_MISS":
      return new CliError("NOT_AVAILABLE", what, {
        hint: `unset HF_HUB_OFFLINE and run once with network to fill the cache; ${OFFLINE_DEFAULT_HINT}`,
        cause: error,
      });
    default:
      return new CliError("NOT_AVAILABLE", what, {
        hint: `check the network (or HF_ENDPOINT, HF_TOKEN); ${OFFLINE_DEFAULT_HINT}`,
        cause: error,
      });
  }
}

/** One progress bar per file, in KiB, from @warmstart/hub's byte counts (a cached file reports nothing). */
function progressReporter(ctx: CommandContext, modelId: string): (event: DownloadProgress) => void {
  const bars = new Map<string, ProgressBar>();
  return (event) => {
    if (event.total === undefined || event.total === 0) return;
    const total = Math.max(1, Math.ceil(event.total / 1024));
    let bar = bars.get(event.file);
    if (bar === undefined) {
      bar = ctx.progress(`download ${modelId}/${event.file} (KiB)`, total);
      bars.set(event.file, bar);
    }
    // A retry starts the file again from 0; the bar follows it.
    bar.update(Math.floor(event.loaded / 1024));
    if (event.loaded >= event.total) bar.finish();
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the folder has a tokenizer AutoTokenizer reads: tokenizer.json, vocab.txt, or vocab.json + merges.txt. */
async function hasTokenizer(dir: string): Promise<boolean> {
  if ((await exists(join(dir, "tokenizer.json"))) || (await exists(join(dir, "vocab.txt")))) return true;
  return (await exists(join(dir, "vocab.json"))) && (await exists(join(dir, "merges.txt")));
}

async function download(
  ctx: CommandContext,
  modelId: string,
  role: string,
  hub: HubCheckpointOptions["hub"],
): Promise<string> {
  const settings = resolveSettings(hub ?? {});
  ctx.log(
    settings.offline
      ? `${role}: ${modelId} from the Hub cache ${settings.cacheDir} (offline)`
      : `${role}: ${modelId} from ${settings.hubUrl} (cache ${settings.cacheDir})`,
  );
  let dir: string;
  try {
    // The default selection: config.json, the tokenizer files the repository has, and one set of weights
    // (safetensors before pytorch_model.bin); TensorFlow, Flax, Rust, TFLite and Core ML files stay on the Hub.
    dir = await resolveModel(modelId, { ...hub, onProgress: progressReporter(ctx, modelId) });
  } catch (error) {
    throw error instanceof HubError ? downloadError(error, modelId, role) : error;
  }
  if (!(await hasTokenizer(dir))) {
    throw new CliError(
      "MISSING_TOKENIZER",
      `${modelId} (downloaded to ${dir}) has no tokenizer: expected tokenizer.json, vocab.txt, or vocab.json + merges.txt`,
      { hint: OFFLINE_DEFAULT_HINT },
    );
  }
  ctx.debug(`${role}: ${modelId} is ${dir}`);
  return dir;
}

/**
 * Downloads the demo's BERT (a Google miniature, BERT-Mini by default) and GPT-2 (DistilGPT2 by default) from the
 * Hugging Face Hub, or finds them in the cache (offline with HF_HUB_OFFLINE=1 once they are there). Returns the
 * snapshot folders. A failed download is a CliError whose hint points at the offline default.
 */
export async function downloadHubCheckpoints(
  ctx: CommandContext,
  options: HubCheckpointOptions = {},
): Promise<DemoCheckpoints> {
  const bertId = hubBertId(options.bert);
  const gpt2Id = options.gpt2 === null ? null : (options.gpt2 ?? DEFAULT_HUB_GPT2);
  const bert = await download(ctx, bertId, "BERT", options.hub);
  const gpt2 = gpt2Id === null ? null : await download(ctx, gpt2Id, "GPT-2", options.hub);
  // The snapshot folder is named by the commit it holds, which pins exactly what was warm-started from.
  const pinned = [`${bertId}@${basename(bert)}`, ...(gpt2 === null ? [] : [`${gpt2Id}@${basename(gpt2)}`])];
  const { hubUrl } = resolveSettings(options.hub ?? {});
  return { bert, roberta: null, gpt2, origin: `Hugging Face Hub (${hubUrl}): ${pinned.join(", ")}` };
}
