// Builds the demo's EncoderDecoderModel and tokenizers from files fetched over HTTP, with nothing from Node:
// config.json gives the architecture (EncoderDecoderModel.fromConfig), model.safetensors (F16, widened to float32
// on reading) the values, assigned to the model's variables by their Hugging Face names; a tensor tied between
// encoder and decoder is stored once, under the first name that owns it. The tokenizers are PureTokenizer (pure
// JavaScript, the same ids as the native binding) over the folder's tokenizer.json and configs; decoder_tokenizer/
// holds the decoder's when its vocabulary differs (BERT2GPT2).
import {
  EncoderDecoderConfig,
  EncoderDecoderModel,
  generationConfigFromHF,
  unsupportedHFSettings,
  type GenerationConfig,
  type HFConfigJSON,
} from "@warmstart/composer";
import { WarmstartError } from "@warmstart/core";
import { readSafetensorsBytes, tf } from "@warmstart/tensors";
import { PureTokenizer } from "@warmstart/tokenizers/browser";
import type { DemoTokenizers } from "./generation.js";
import { parseDemoProvenance, type DemoProvenance } from "./provenance.js";

/** The bytes of a file of the model folder, by its path inside it. */
export type FetchBytes = (file: string) => Promise<ArrayBuffer>;

export class DemoLoadError extends WarmstartError<
  | "MISSING_FILE"
  | "MISSING_WEIGHT"
  | "UNEXPECTED_WEIGHT"
  | "SHAPE_MISMATCH"
  | "FETCH_FAILED"
  | "UNSUPPORTED_SETTING"
  | "NO_BACKEND"
> {
  override readonly name = "DemoLoadError";
}

export const DECODER_TOKENIZER_DIR = "decoder_tokenizer";

export interface DemoModel {
  model: EncoderDecoderModel;
  tokenizers: DemoTokenizers;
  /** generation_config.json as generation settings (a model built with fromConfig does not read it itself). */
  stored: Partial<GenerationConfig>;
  provenance: DemoProvenance;
}

/**
 * The folder's files as provenance.json lists them: only listed files are fetched, so that a folder without, say,
 * decoder_tokenizer/ costs no failing request.
 */
class ModelFiles {
  readonly #fetchBytes: FetchBytes;
  readonly #listed: ReadonlySet<string>;

  constructor(fetchBytes: FetchBytes, listed: ReadonlySet<string>) {
    this.#fetchBytes = fetchBytes;
    this.#listed = listed;
  }

  has(file: string): boolean {
    return this.#listed.has(file);
  }

  async bytes(file: string): Promise<ArrayBuffer> {
    if (!this.#listed.has(file)) throw new DemoLoadError("MISSING_FILE", `the demo model has no ${file}`);
    return this.#fetchBytes(file);
  }

  async json(file: string): Promise<unknown> {
    return JSON.parse(new TextDecoder().decode(await this.bytes(file))) as unknown;
  }

  async optionalJson(file: string): Promise<unknown> {
    return this.has(file) ? this.json(file) : undefined;
  }
}

/** tokenizer.json with its tokenizer_config.json and special_tokens_map.json, under `dir` ("" or "decoder_tokenizer/"). */
async function loadTokenizer(files: ModelFiles, dir: string): Promise<PureTokenizer> {
  return PureTokenizer.fromFiles({
    tokenizer: await files.json(`${dir}tokenizer.json`),
    tokenizerConfig: await files.optionalJson(`${dir}tokenizer_config.json`),
    specialTokensMap: await files.optionalJson(`${dir}special_tokens_map.json`),
  });
}

/** Assigns every weight of `bytes` to `model`; each variable must be covered, and every tensor used. */
function assignWeights(model: EncoderDecoderModel, bytes: Uint8Array): void {
  const weights = readSafetensorsBytes(bytes, "model.safetensors");
  const assigned = new Set<tf.Variable>();
  const used = new Set<string>();
  for (const [name, variable] of model.namedParameters()) {
    if (!weights.has(name)) {
      if (assigned.has(variable)) continue; // a tied alias of a tensor already read
      throw new DemoLoadError(
        "MISSING_WEIGHT",
        `model.safetensors has no ${name} (shape [${variable.shape.join(", ")}])`,
      );
    }
    const { shape } = weights.info(name);
    if (shape.join() !== variable.shape.join()) {
      throw new DemoLoadError(
        "SHAPE_MISMATCH",
        `model.safetensors: ${name} is [${shape.join(", ")}], the model expects [${variable.shape.join(", ")}]`,
      );
    }
    tf.tidy(() => variable.assign(weights.tensor(name)));
    assigned.add(variable);
    used.add(name);
  }
  const unused = weights.names().filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new DemoLoadError(
      "UNEXPECTED_WEIGHT",
      `model.safetensors holds ${unused.length} tensor(s) config.json's model does not have: ${unused.slice(0, 5).join(", ")}`,
    );
  }
}

export async function loadDemoModel(fetchBytes: FetchBytes): Promise<DemoModel> {
  const provenanceJson = JSON.parse(new TextDecoder().decode(await fetchBytes("provenance.json"))) as unknown;
  const provenance = parseDemoProvenance(provenanceJson);
  const files = new ModelFiles(fetchBytes, new Set(Object.keys(provenance.files)));
  const config = EncoderDecoderConfig.fromJSON((await files.json("config.json")) as HFConfigJSON, "config.json");
  const generationJson = (await files.json("generation_config.json")) as Record<string, unknown>;
  // EncoderDecoderModel.generate refuses a stored setting it cannot apply; settings passed in are not checked.
  const unsupported = unsupportedHFSettings(generationJson, false);
  if (unsupported.length > 0) {
    throw new DemoLoadError(
      "UNSUPPORTED_SETTING",
      `generation_config.json sets ${unsupported.join(", ")}, which warmstart does not implement`,
    );
  }
  const stored = generationConfigFromHF(generationJson, "generation_config.json");
  const source = await loadTokenizer(files, "");
  const decoderTokenizer = `${DECODER_TOKENIZER_DIR}/`;
  const target = files.has(`${decoderTokenizer}tokenizer.json`) ? await loadTokenizer(files, decoderTokenizer) : source;
  const weights = await files.bytes("model.safetensors");
  const model = EncoderDecoderModel.fromConfig(config);
  try {
    assignWeights(model, new Uint8Array(weights));
  } catch (error) {
    model.dispose();
    throw error;
  }
  model.eval();
  return { model, tokenizers: { source, target }, stored, provenance };
}
