// The ByteLevel pre-tokenizer (GPT-2, RoBERTa) splits text with GPT-2's pattern. The Rust library runs it in
// Oniguruma, whose `\s` is Unicode's White_Space; @huggingface/tokenizers 0.2.0 runs it as a JavaScript RegExp,
// whose `\s` also takes U+FEFF (byte order mark) and leaves out U+0085 (next line), so " \uFEFFword" splits
// differently. The same pattern with White_Space spelled out gives the Rust splits.
import type { JsonObject } from "./documents.js";
import type { LibraryPreTokenizer } from "./pure-library.js";

const BYTE_LEVEL_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** Gives every ByteLevel step of `preTokenizer` (built by the library from `config`) the Rust split pattern. */
export function useRustByteLevelPattern(
  preTokenizer: LibraryPreTokenizer | null,
  config: JsonObject | null | undefined,
): void {
  if (preTokenizer === null || config === null || config === undefined) return;
  if (config.type === "ByteLevel" && preTokenizer.pattern instanceof RegExp) {
    preTokenizer.pattern = BYTE_LEVEL_PATTERN;
  } else if (config.type === "Sequence" && Array.isArray(config.pretokenizers) && preTokenizer.tokenizers) {
    (config.pretokenizers as JsonObject[]).forEach((step, index) =>
      useRustByteLevelPattern(preTokenizer.tokenizers?.[index] ?? null, step),
    );
  }
}
