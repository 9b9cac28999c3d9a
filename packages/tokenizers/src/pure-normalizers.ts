// Normalizers that give the Rust library's output where @huggingface/tokenizers 0.2.0 gives another, found by the
// parity test against the native binding:
// - lower-casing: Rust lower-cases each character on its own; JavaScript's `toLowerCase` on a whole string applies
//   the Final_Sigma rule ("ΣΑΣ" → "σας"), which the Rust library never does ("σασ");
// - BertNormalizer's Chinese-character spacing: the JS library tests UTF-16 code units, so the CJK ideographs
//   outside the Basic Multilingual Plane (extensions B and later) are not spaced out and merge into one [UNK].
// The BertNormalizer is therefore ported whole, in the Rust library's order (clean-up, CJK spacing, accents, then
// lower-casing; the JS library lower-cases before stripping accents). Every other normalizer is the JS library's.
import type { JsonObject } from "./documents.js";
import { NormalizerBase, SequenceNormalizer, type LibraryNormalizer } from "./pure-library.js";

/** Rust's `char::to_lowercase`, one code point at a time. */
export function lowercaseEachChar(text: string): string {
  let out = "";
  for (const char of text) out += char.toLowerCase();
  return out;
}

/** The CJK ideograph blocks the Rust BertNormalizer surrounds with spaces (`is_chinese_char`). */
function isChineseChar(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b920 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

// Control, format, private-use and surrogate characters; unassigned ones (Cn) stay, as in the Rust library.
const OTHER = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const WHITESPACE = /^\p{White_Space}$/u;
const NONSPACING_MARKS = /\p{Mn}/gu;

function cleanText(text: string): string {
  let out = "";
  for (const char of text) {
    if (char === "\t" || char === "\n" || char === "\r") {
      out += " ";
      continue;
    }
    if (char === "\u0000" || char === "\ufffd" || OTHER.test(char)) continue;
    out += WHITESPACE.test(char) ? " " : char;
  }
  return out;
}

function spaceChineseChars(text: string): string {
  let out = "";
  for (const char of text) out += isChineseChar(char.codePointAt(0) as number) ? ` ${char} ` : char;
  return out;
}

interface BertNormalizerJson {
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

/** The Rust BertNormalizer: clean-up, CJK spacing, accent stripping (NFD, drop Mn), then lower-casing. */
class RustBertNormalizer extends NormalizerBase {
  override normalize(text: string): string {
    const config = this.config as BertNormalizerJson;
    const lowercase = config.lowercase ?? true;
    let out = text;
    if (config.clean_text ?? true) out = cleanText(out);
    if (config.handle_chinese_chars ?? true) out = spaceChineseChars(out);
    if (config.strip_accents ?? lowercase) out = out.normalize("NFD").replace(NONSPACING_MARKS, "");
    if (lowercase) out = lowercaseEachChar(out);
    return out;
  }
}

class RustLowercase extends NormalizerBase {
  override normalize(text: string): string {
    return lowercaseEachChar(text);
  }
}

/** Runs normalizers in order, as a Sequence normalizer does, with some of them replaced. */
class NormalizerChain extends NormalizerBase {
  readonly #steps: LibraryNormalizer[];
  constructor(config: JsonObject, steps: LibraryNormalizer[]) {
    super(config);
    this.#steps = steps;
  }
  override normalize(text: string): string {
    let out = text;
    for (const step of this.#steps) out = step.normalize(out);
    return out;
  }
}

/** Whether `config` (a tokenizer.json normalizer) contains a step the JS library gets wrong. */
function needsReplacing(config: JsonObject): boolean {
  if (config.type === "BertNormalizer" || config.type === "Lowercase") return true;
  return config.type === "Sequence" && Array.isArray(config.normalizers) && config.normalizers.some(needsReplacing);
}

function build(config: JsonObject): LibraryNormalizer {
  if (config.type === "BertNormalizer") return new RustBertNormalizer(config);
  if (config.type === "Lowercase") return new RustLowercase(config);
  if (config.type === "Sequence" && Array.isArray(config.normalizers)) {
    return new NormalizerChain(config, (config.normalizers as JsonObject[]).map(build));
  }
  // The JS library's own implementation of this one step.
  return new SequenceNormalizer({ type: "Sequence", normalizers: [config] });
}

/**
 * The normalizer to run instead of the JS library's for `config`, or undefined where the library's is already
 * the Rust one. Assigned over the library tokenizer's `normalizer`, the hook it calls on every text section.
 */
export function rustCompatibleNormalizer(config: JsonObject | null | undefined): LibraryNormalizer | undefined {
  if (config === null || config === undefined || !needsReplacing(config)) return undefined;
  return build(config);
}
