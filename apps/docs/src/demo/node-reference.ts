// The demo model as Node loads it — EncoderDecoderModel.fromPretrained and the native tokenizers — for the import
// script and for the tests that require the page's output to equal it. Node only.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { EncoderDecoderModel } from "@warmstart/composer";
import { AutoTokenizer } from "@warmstart/tokenizers";
import type { DemoTokenizers } from "./generation.js";
import { DECODER_TOKENIZER_DIR } from "./load-model.js";
import { parseDemoProvenance, type DemoProvenance } from "./provenance.js";

/**
 * The committed demo model (apps/docs/demo-model/). Its weights are kept brotli-compressed (model.safetensors.br:
 * the F16 file is 2.2 MB, over the repository's 2 MB limit per file, compressed 1.9 MB); every other file as is.
 */
export const COMMITTED_DEMO_MODEL_DIR = fileURLToPath(new URL("../../demo-model/", import.meta.url));

/** Suffix of a committed file stored brotli-compressed; the site and Node read the decompressed file. */
export const COMPRESSED_SUFFIX = ".br";

/**
 * Writes the demo model folder as the site serves it into `out`: every file provenance.json lists, decompressed
 * where it is committed as `<file>.br`, checked against the recorded size and sha256 (a Git LFS pointer or a
 * half-updated folder fails here instead of in the page), and provenance.json itself. Returns `out`.
 */
export function materializeDemoModel(out: string, from: string = COMMITTED_DEMO_MODEL_DIR): string {
  const provenance = readProvenance(from);
  rmSync(out, { recursive: true, force: true });
  for (const [file, { bytes, sha256 }] of Object.entries(provenance.files)) {
    const plain = join(from, file);
    const data = existsSync(plain)
      ? readFileSync(plain)
      : brotliDecompressSync(readFileSync(plain + COMPRESSED_SUFFIX));
    const actual = createHash("sha256").update(data).digest("hex");
    if (data.length !== bytes || actual !== sha256) {
      throw new Error(
        `${plain}: ${data.length} bytes, sha256 ${actual}; provenance.json expects ${bytes} bytes, ${sha256} (re-run scripts/import-demo-model.ts)`,
      );
    }
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), data);
  }
  writeFileSync(join(out, "provenance.json"), readFileSync(join(from, "provenance.json")));
  return out;
}

/** The demo model as the site serves it, materialised on first use (once per process) under apps/docs/.tmp. */
let materialized: string | undefined;
export function demoModelDir(): string {
  if (materialized === undefined) {
    const dir = materializeDemoModel(fileURLToPath(new URL(`../../.tmp/demo-model-${process.pid}/`, import.meta.url)));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    materialized = dir;
  }
  return materialized;
}
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
