// In-memory vocabularies → tokenizer.json documents, with transformers' per-family defaults
// (BertTokenizer, GPT2Tokenizer, RobertaTokenizer) for the special tokens.
import { byteLevelBpeDocument, wordPieceDocument, type TokenizerDocument } from "./documents.js";
import { TokenizerError } from "./errors.js";
import { specialTokenStrings, type SpecialTokens } from "./special-tokens.js";
import type { TokenizerSettings } from "./settings.js";

export const BERT_SPECIAL_TOKENS: Readonly<SpecialTokens> = {
  clsToken: "[CLS]",
  sepToken: "[SEP]",
  padToken: "[PAD]",
  unkToken: "[UNK]",
  maskToken: "[MASK]",
};

export const GPT2_SPECIAL_TOKENS: Readonly<SpecialTokens> = {
  bosToken: "<|endoftext|>",
  eosToken: "<|endoftext|>",
  unkToken: "<|endoftext|>",
};

export const ROBERTA_SPECIAL_TOKENS: Readonly<SpecialTokens> = {
  bosToken: "<s>",
  eosToken: "</s>",
  clsToken: "<s>",
  sepToken: "</s>",
  padToken: "<pad>",
  unkToken: "<unk>",
  maskToken: "<mask>",
};

interface CommonVocabOptions {
  /** Roles not given fall back to the family defaults above. */
  specialTokens?: SpecialTokens;
  modelMaxLength?: number;
  cleanUpTokenizationSpaces?: boolean;
}

export interface WordPieceVocabOptions extends CommonVocabOptions {
  kind: "wordpiece";
  /** Tokens in id order (the lines of `vocab.txt`) or token → id. */
  vocab: readonly string[] | Readonly<Record<string, number>>;
  /** Default true (bert-base-uncased). */
  lowercase?: boolean;
  /** Default: strip accents exactly when lower-casing, as transformers does. */
  stripAccents?: boolean;
}

export interface ByteLevelBpeVocabOptions extends CommonVocabOptions {
  kind: "bpe";
  /** token → id (`vocab.json`, GPT-2's `encoder.json`). */
  vocab: Readonly<Record<string, number>>;
  /** The lines of `merges.txt` ("Ġ t") or pairs, in rank order. */
  merges: ReadonlyArray<string | readonly [string, string]>;
  /** `"gpt2"` adds no tokens; `"roberta"` wraps sequences in `<s> … </s>`. Default "gpt2". */
  template?: "gpt2" | "roberta";
}

export type FromVocabOptions = WordPieceVocabOptions | ByteLevelBpeVocabOptions;

/** The lines of a `vocab.txt` (one token per line, id = line number). */
export function parseVocabTxt(text: string): string[] {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The merge pairs of a `merges.txt`, skipping its `#version` header and blank lines. */
export function parseMerges(text: string, source = "merges.txt"): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || (index === 0 && line.startsWith("#version"))) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
      throw new TokenizerError(
        "INVALID_FILE",
        `${source} line ${index + 1}: expected two tokens separated by one space, got ${JSON.stringify(line)}`,
      );
    }
    out.push([parts[0] as string, parts[1] as string]);
  });
  return out;
}

function vocabMap(vocab: readonly string[] | Readonly<Record<string, number>>): Record<string, number> {
  if (!Array.isArray(vocab)) return { ...(vocab as Record<string, number>) };
  const out: Record<string, number> = {};
  (vocab as readonly string[]).forEach((token, id) => {
    if (typeof token !== "string") {
      throw new TokenizerError("INVALID_FILE", `vocabulary entry ${id} must be a string, got ${typeof token}`);
    }
    if (token in out) {
      throw new TokenizerError(
        "INVALID_FILE",
        `vocabulary entry ${id} repeats token ${JSON.stringify(token)} (first at ${out[token]})`,
      );
    }
    out[token] = id;
  });
  return out;
}

function settingsOf(
  options: CommonVocabOptions,
  specialTokens: SpecialTokens,
  tokenizerClass: string,
): Partial<TokenizerSettings> {
  return {
    specialTokens,
    tokenizerClass,
    ...(options.modelMaxLength === undefined ? {} : { modelMaxLength: options.modelMaxLength }),
    ...(options.cleanUpTokenizationSpaces === undefined
      ? {}
      : { cleanUpTokenizationSpaces: options.cleanUpTokenizationSpaces }),
  };
}

export function tokenizerFromVocab(options: FromVocabOptions): {
  document: TokenizerDocument;
  settings: Partial<TokenizerSettings>;
} {
  if (options.kind === "wordpiece") {
    const specialTokens = { ...BERT_SPECIAL_TOKENS, ...options.specialTokens };
    const lowercase = options.lowercase ?? true;
    const document = wordPieceDocument({
      vocab: vocabMap(options.vocab),
      lowercase,
      ...(options.stripAccents === undefined ? {} : { stripAccents: options.stripAccents }),
      unkToken: specialTokens.unkToken as string,
      clsToken: specialTokens.clsToken as string,
      sepToken: specialTokens.sepToken as string,
      specialTokens: specialTokenStrings(specialTokens),
    });
    return { document, settings: { ...settingsOf(options, specialTokens, "BertTokenizer"), doLowerCase: lowercase } };
  }
  if (options.kind === "bpe") {
    const template = options.template ?? "gpt2";
    const defaults = template === "roberta" ? ROBERTA_SPECIAL_TOKENS : GPT2_SPECIAL_TOKENS;
    const specialTokens = { ...defaults, ...options.specialTokens };
    const merges = options.merges.map((merge, index): [string, string] => {
      if (typeof merge !== "string") return [merge[0], merge[1]];
      const pair = parseMerges(merge, `merges[${index}]`)[0];
      if (pair === undefined) throw new TokenizerError("INVALID_FILE", `merges[${index}] is empty`);
      return pair;
    });
    const document = byteLevelBpeDocument({
      vocab: vocabMap(options.vocab),
      merges,
      specialTokens: specialTokenStrings(specialTokens),
      template,
      ...(specialTokens.clsToken === undefined ? {} : { clsToken: specialTokens.clsToken }),
      ...(specialTokens.sepToken === undefined ? {} : { sepToken: specialTokens.sepToken }),
      ...(specialTokens.maskToken === undefined ? {} : { maskToken: specialTokens.maskToken }),
    });
    const tokenizerClass = template === "roberta" ? "RobertaTokenizer" : "GPT2Tokenizer";
    return { document, settings: settingsOf(options, specialTokens, tokenizerClass) };
  }
  throw new TokenizerError(
    "INVALID_OPTION",
    `fromVocab: kind must be "wordpiece" or "bpe", got ${JSON.stringify((options as { kind?: unknown }).kind)}`,
  );
}
