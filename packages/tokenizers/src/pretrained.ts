// A checkpoint folder (or Hub id) → Tokenizer, following transformers' file precedence:
// tokenizer.json first, else the slow-tokenizer vocabularies of BERT, GPT-2 and RoBERTa.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveModel, TOKENIZER_FILES, type ResolveModelOptions } from "@warmstart/hub";
import { asJsonObject, readCheckpointSettings, tokenizerJsonSettings, withDefaults } from "./checkpoint-files.js";
import type { TokenizerDocument } from "./documents.js";
import { TokenizerError } from "./errors.js";
import type { SpecialTokens } from "./special-tokens.js";
import type { TokenizerSettings } from "./settings.js";
import { Tokenizer } from "./tokenizer.js";
import {
  BERT_SPECIAL_TOKENS,
  GPT2_SPECIAL_TOKENS,
  parseMerges,
  parseVocabTxt,
  ROBERTA_SPECIAL_TOKENS,
} from "./vocab.js";

export interface FromPretrainedOptions {
  /** Passed to `@warmstart/hub`'s `resolveModel` for Hub ids; local folders ignore it. */
  hub?: ResolveModelOptions;
  /** Overrides `model_max_length` from `tokenizer_config.json`. */
  modelMaxLength?: number;
}

/** A Hub download fetches only these: the tokenizer files, plus config.json for `model_type`. */
const HUB_FILES = [...TOKENIZER_FILES, "config.json"];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  if (!(await exists(path))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new TokenizerError("INVALID_FILE", `${path}: not valid JSON: ${String(cause)}`, { cause });
  }
  return asJsonObject(parsed, path);
}

function isRoberta(settings: Partial<TokenizerSettings>, config: Record<string, unknown> | undefined): boolean {
  if (settings.tokenizerClass !== undefined) return /roberta/i.test(settings.tokenizerClass);
  if (typeof config?.model_type === "string") return config.model_type === "roberta";
  return settings.specialTokens?.clsToken !== undefined && settings.specialTokens.sepToken !== undefined;
}

/** Loads the tokenizer of a resolved checkpoint folder. */
export async function loadTokenizerFolder(
  dir: string,
  options: Pick<FromPretrainedOptions, "modelMaxLength"> = {},
): Promise<Tokenizer> {
  const tokenizerConfig = await readJson(join(dir, "tokenizer_config.json"));
  const specialMap = await readJson(join(dir, "special_tokens_map.json"));
  const config = await readJson(join(dir, "config.json"));
  const settings = readCheckpointSettings(tokenizerConfig, specialMap, {
    tokenizerConfig: join(dir, "tokenizer_config.json"),
    specialTokensMap: join(dir, "special_tokens_map.json"),
  });
  const specials: SpecialTokens = settings.specialTokens;
  if (options.modelMaxLength !== undefined) settings.modelMaxLength = options.modelMaxLength;

  const tokenizerJson = join(dir, "tokenizer.json");
  if (await exists(tokenizerJson)) {
    const document = (await readJson(tokenizerJson)) as TokenizerDocument;
    return Tokenizer.fromDocument(document, tokenizerJsonSettings(document, settings), tokenizerJson);
  }

  const vocabTxt = join(dir, "vocab.txt");
  if (await exists(vocabTxt)) {
    const vocab = parseVocabTxt(await readFile(vocabTxt, "utf8"));
    const has = new Set(vocab);
    return Tokenizer.fromVocab({
      kind: "wordpiece",
      vocab,
      lowercase: settings.doLowerCase ?? true,
      ...(typeof tokenizerConfig?.strip_accents === "boolean" ? { stripAccents: tokenizerConfig.strip_accents } : {}),
      specialTokens: withDefaults(specials, BERT_SPECIAL_TOKENS, (token) => has.has(token)),
      ...(settings.modelMaxLength === undefined ? {} : { modelMaxLength: settings.modelMaxLength }),
      ...(settings.cleanUpTokenizationSpaces === undefined
        ? {}
        : { cleanUpTokenizationSpaces: settings.cleanUpTokenizationSpaces }),
    });
  }

  const vocabJson = join(dir, "vocab.json");
  const mergesTxt = join(dir, "merges.txt");
  if ((await exists(vocabJson)) && (await exists(mergesTxt))) {
    const vocab = (await readJson(vocabJson)) as Record<string, number>;
    const merges = parseMerges(await readFile(mergesTxt, "utf8"), mergesTxt);
    const roberta = isRoberta({ ...settings, specialTokens: specials }, config);
    return Tokenizer.fromVocab({
      kind: "bpe",
      vocab,
      merges,
      template: roberta ? "roberta" : "gpt2",
      specialTokens: { ...(roberta ? ROBERTA_SPECIAL_TOKENS : GPT2_SPECIAL_TOKENS), ...specials },
      ...(settings.modelMaxLength === undefined ? {} : { modelMaxLength: settings.modelMaxLength }),
      ...(settings.cleanUpTokenizationSpaces === undefined
        ? {}
        : { cleanUpTokenizationSpaces: settings.cleanUpTokenizationSpaces }),
    });
  }

  throw new TokenizerError(
    "MISSING_FILES",
    `no tokenizer files in ${dir}: looked for tokenizer.json, vocab.txt (WordPiece), or vocab.json + merges.txt (byte-level BPE)`,
  );
}

/** `resolveModel` (Hub id → cached folder; local folders pass through), then `loadTokenizerFolder`. */
export async function loadPretrainedTokenizer(
  idOrPath: string,
  options: FromPretrainedOptions = {},
): Promise<Tokenizer> {
  if (typeof idOrPath !== "string" || idOrPath === "") {
    throw new TokenizerError(
      "NOT_A_STRING",
      `fromPretrained expects a Hub model id or folder path, got ${JSON.stringify(idOrPath)}`,
    );
  }
  const dir = await resolveModel(idOrPath, { files: HUB_FILES, ...options.hub });
  return loadTokenizerFolder(dir, options);
}
