// The demo model as Node loads it — EncoderDecoderModel.fromPretrained and the native tokenizers — for the import
// script and for the tests that require the page's output to equal it. Node only.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EncoderDecoderModel } from "@warmstart/composer";
import { AutoTokenizer } from "@warmstart/tokenizers";
import type { DemoTokenizers } from "./generation.js";
import { DECODER_TOKENIZER_DIR } from "./load-model.js";
import { parseDemoProvenance, type DemoProvenance } from "./provenance.js";

/** The committed demo model (apps/docs/demo-model/). */
export const DEMO_MODEL_DIR = fileURLToPath(new URL("../../demo-model/", import.meta.url));

/** The native tokenizers of a model folder: its own, and decoder_tokenizer/'s when there is one. */
export async function nativeTokenizers(dir: string): Promise<DemoTokenizers> {
  const source = await AutoTokenizer.fromPretrained(dir);
  const decoderDir = join(dir, DECODER_TOKENIZER_DIR);
  const target = existsSync(join(decoderDir, "tokenizer.json"))
    ? await AutoTokenizer.fromPretrained(decoderDir)
    : source;
  return { source, target };
}

export function readProvenance(dir: string): DemoProvenance {
  const path = join(dir, "provenance.json");
  return parseDemoProvenance(JSON.parse(readFileSync(path, "utf8")), path);
}

/** The model and tokenizers of a folder as Node loads them, on the active backend. */
export async function loadNodeReference(
  dir: string,
): Promise<{ model: EncoderDecoderModel; tokenizers: DemoTokenizers }> {
  const model = await EncoderDecoderModel.fromPretrained(dir);
  model.eval();
  return { model, tokenizers: await nativeTokenizers(dir) };
}
