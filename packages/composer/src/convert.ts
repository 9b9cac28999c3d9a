import { copyFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveModel, type ResolveModelOptions } from "@warmstart/hub";
import { ensureBackend, openCheckpoint, writeSafetensors, type tf } from "@warmstart/tensors";
import { saveFolderAtomically } from "./atomic-folder.js";
import { ComposerError } from "./errors.js";

/** PyTorch weight files a checkpoint folder may hold (the ones the conversion replaces). */
const PYTORCH_WEIGHTS = /^pytorch_model(-\d+-of-\d+)?\.bin$|^pytorch_model\.bin\.index\.json$/;
/**
 * Pickles and other framework files that are not part of a model folder's configuration: never copied (they are
 * the training state of transformers' Trainer — optimizer.pt, scheduler.pt, rng_state.pth, training_args.bin — or
 * another framework's weights).
 */
const NOT_COPIED = /\.(bin|pt|pth|ckpt|pkl|pickle|h5|msgpack|onnx)$/;

/** What `convertToSafetensors` did. */
export interface ConversionReport {
  /** The folder that was read (a Hub id resolves to its cache snapshot). */
  source: string;
  /** The folder written. */
  out: string;
  /** The PyTorch weight files read. */
  weightFiles: string[];
  tensors: number;
  /** Tensors per source dtype, in safetensors' names (F16 / BF16 / F64 are written as F32, I64 as I32, as read). */
  dtypes: Record<string, number>;
  /** The other files copied unchanged (config.json, generation_config.json, tokenizer files, ...). */
  copied: string[];
  /** Files and folders left out (pickles other than the weights, subfolders). */
  skipped: string[];
}

/**
 * Turns a model folder (or Hub id) saved with PyTorch weights — `pytorch_model.bin` or a sharded
 * `pytorch_model.bin.index.json`, as transformers saved before 4.35 — into a folder with `model.safetensors`
 * (tensor names unchanged, `{"format": "pt"}` metadata as transformers writes) and every other file of the model
 * (config, generation config, tokenizer files) copied. The pickles are read with @warmstart/tensors' restricted
 * unpickler, which executes nothing. `out` must not exist or be empty; it is written atomically (all or nothing).
 */
export async function convertToSafetensors(
  source: string,
  out: string,
  options: { hub?: ResolveModelOptions } = {},
): Promise<ConversionReport> {
  await ensureBackend();
  const dir = await resolveModel(source, options.hub);
  const files = readdirSync(dir);
  const weightFiles = files.filter((f) => PYTORCH_WEIGHTS.test(f)).sort();
  if (weightFiles.length === 0) {
    const has = files.filter((f) => f.endsWith(".safetensors") || f.endsWith(".safetensors.index.json"));
    throw new ComposerError(
      "MISSING_WEIGHTS",
      has.length > 0
        ? `${dir} already holds safetensors weights (${has.join(", ")}): there is nothing to convert`
        : `${dir} holds no pytorch_model.bin or pytorch_model.bin.index.json to convert`,
    );
  }
  const target = resolve(out);
  if (resolve(dir) === target) {
    throw new ComposerError("OUTPUT_EXISTS", `the output folder ${target} is the input folder: pass another --out`);
  }
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new ComposerError(
      "OUTPUT_EXISTS",
      `${target} exists and is not an empty folder: convert writes a new folder (remove it or pick another path)`,
    );
  }

  const checkpoint = await openCheckpoint(dir);
  const tensors = new Map<string, tf.Tensor>();
  const dtypes: Record<string, number> = {};
  try {
    for (const name of checkpoint.names()) {
      const dtype = checkpoint.info(name).dtype;
      dtypes[dtype] = (dtypes[dtype] ?? 0) + 1;
      tensors.set(name, checkpoint.tensor(name));
    }
  } catch (error) {
    for (const t of tensors.values()) t.dispose();
    throw error;
  } finally {
    checkpoint.close();
  }

  const copied: string[] = [];
  const skipped: string[] = [];
  try {
    await saveFolderAtomically(target, async (tmp) => {
      for (const file of files.sort()) {
        if (PYTORCH_WEIGHTS.test(file)) continue;
        const path = join(dir, file);
        if (!statSync(path).isFile() || NOT_COPIED.test(file) || file.endsWith(".safetensors")) {
          skipped.push(file);
          continue;
        }
        copyFileSync(path, join(tmp, file));
        copied.push(file);
      }
      await writeSafetensors(join(tmp, "model.safetensors"), tensors, { format: "pt" });
    });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return { source: dir, out: target, weightFiles, tensors: tensors.size, dtypes, copied, skipped };
}
