// Trains a WordPiece or byte-level BPE vocabulary with the Rust trainers, then lays it out as a
// transformers checkpoint would have it: special tokens first, then the alphabet, then merges.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BPE,
  bertNormalizer,
  bertPreTokenizer,
  byteLevelAlphabet,
  byteLevelPreTokenizer,
  lowercase as lowercaseNormalizer,
  Tokenizer as NativeTokenizer,
  WordPiece,
} from "tokenizers";
import { byteLevelBpeDocument, wordPieceDocument, type TokenizerDocument } from "./documents.js";
import { TokenizerError } from "./errors.js";
import type { SpecialTokens } from "./special-tokens.js";
import { Tokenizer } from "./tokenizer.js";
import { BERT_SPECIAL_TOKENS, GPT2_SPECIAL_TOKENS, ROBERTA_SPECIAL_TOKENS } from "./vocab.js";

export interface TrainTokenizerOptions {
  /** Plain-text files, one or more sentences per line. */
  files?: readonly string[];
  /** Texts to train on (written to a temporary file for the trainer). */
  texts?: readonly string[];
  kind: "wordpiece" | "bpe";
  /** Size of the final vocabulary, special tokens included (the alphabet is kept even if larger). */
  vocabSize: number;
  /** Default true for WordPiece (uncased BERT), false for BPE. */
  lowercase?: boolean;
  /** Defaults: BERT's for WordPiece; GPT-2's `<|endoftext|>` for BPE, RoBERTa's when `template` is "roberta". */
  specialTokens?: SpecialTokens;
  /** BPE only: "gpt2" (no tokens added) or "roberta" (`<s> … </s>`). Default "gpt2". */
  template?: "gpt2" | "roberta";
  modelMaxLength?: number;
  /** Also save the tokenizer (tokenizer.json + configs) into this folder. */
  outputDir?: string;
  /**
   * Let the Rust trainer draw its progress bars, on stderr (default true, as `show_progress` in tokenizers). The
   * npm binding has no trainer options and draws them on stdout, where they would mix with a program's output;
   * false (e.g. for a quiet or non-terminal run) discards them.
   */
  showProgress?: boolean;
}

/** RoBERTa's id order (<s>, <pad>, </s>, <unk>) and BERT's ([PAD], [UNK], [CLS], [SEP], [MASK]) both follow from it. */
function orderedSpecials(tokens: SpecialTokens): string[] {
  const order = [
    tokens.bosToken,
    tokens.padToken,
    tokens.eosToken,
    tokens.unkToken,
    tokens.clsToken,
    tokens.sepToken,
    tokens.maskToken,
  ];
  return [...new Set(order.filter((token): token is string => token !== undefined))];
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Runs in a child process: loads the untrained tokenizer, trains it with its model's default trainer (what
// `Tokenizer.train` does in-process) and saves it; a failure's text goes to a file, as stderr may be the user's.
const TRAIN_CHILD = `
const [binding, untrained, trained, failure, ...files] = process.argv.slice(1);
const fs = require("node:fs");
try {
  const tokenizer = require(binding).Tokenizer.fromFile(untrained);
  tokenizer.train(files);
  tokenizer.save(trained, false);
} catch (error) {
  fs.writeFileSync(failure, String(error));
  process.exit(1);
}`;

/**
 * Trains `native` on `files` in a child process whose stdout is this process's stderr (or nothing): the binding's
 * trainer always draws its progress bars on stdout and takes no show_progress option, so in-process training
 * would write them (blank lines when piped) into a program's own output. The result equals in-process training's.
 */
async function trainedDocument(
  native: NativeTokenizer,
  files: string[],
  scratch: string,
  showProgress: boolean,
): Promise<TokenizerDocument> {
  const untrained = join(scratch, "untrained.json");
  const trained = join(scratch, "trained.json");
  const failure = join(scratch, "failure.txt");
  native.save(untrained, false);
  const binding = createRequire(import.meta.url).resolve("tokenizers");
  const output = showProgress ? 2 : "ignore";
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", TRAIN_CHILD, binding, untrained, trained, failure, ...files], {
      stdio: ["ignore", output, output],
    });
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    const reason = await readFile(failure, "utf8").catch(
      () => `the training process exited with status ${String(code)}`,
    );
    throw new TokenizerError("TRAINING_FAILED", `training on ${files.join(", ")} failed: ${reason}`);
  }
  return JSON.parse(await readFile(trained, "utf8")) as TokenizerDocument;
}

/** Plain characters before "##" ones, each group by code point (not UTF-16 unit) order. */
function byCodePoints(a: string, b: string): number {
  const prefixed = Number(a.startsWith("##")) - Number(b.startsWith("##"));
  if (prefixed !== 0) return prefixed;
  return (a.replace(/^##/, "").codePointAt(0) as number) - (b.replace(/^##/, "").codePointAt(0) as number);
}

function byId(vocab: Record<string, number>): string[] {
  return Object.entries(vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([token]) => token);
}

function assign(tokens: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const token of tokens) if (!(token in out)) out[token] = Object.keys(out).length;
  return out;
}

async function trainWordPiece(
  files: string[],
  scratch: string,
  options: TrainTokenizerOptions,
  specials: SpecialTokens,
): Promise<TokenizerDocument> {
  const lowercase = options.lowercase ?? true;
  const unkToken = specials.unkToken;
  if (unkToken === undefined || specials.clsToken === undefined || specials.sepToken === undefined) {
    throw new TokenizerError("MISSING_SPECIAL_TOKEN", "WordPiece training needs unkToken, clsToken and sepToken");
  }
  const native = new NativeTokenizer(WordPiece.init({}, { unkToken }));
  native.setNormalizer(bertNormalizer({ lowercase, stripAccents: lowercase }));
  native.setPreTokenizer(bertPreTokenizer());
  const trained = byId(
    (await trainedDocument(native, files, scratch, options.showProgress ?? true)).model.vocab as Record<string, number>,
  );
  // The trainer's own cut-off is not reachable from the npm binding; its ids run alphabet first,
  // then merges in the order they were learnt, so keeping the alphabet and the earliest merges
  // is what a trainer told `vocabSize` would have produced.
  const special = orderedSpecials(specials);
  // The trainer numbers characters in hash-map order; sorting makes equal corpora give equal ids.
  const alphabet = trained
    .filter((token) => codePoints(token.startsWith("##") ? token.slice(2) : token) === 1)
    .sort(byCodePoints);
  const merged = trained.filter((token) => !alphabet.includes(token) && !special.includes(token));
  const room = Math.max(0, options.vocabSize - special.length - alphabet.length);
  const vocab = assign([...special, ...alphabet, ...merged.slice(0, room)]);
  return wordPieceDocument({
    vocab,
    lowercase,
    stripAccents: lowercase,
    unkToken,
    clsToken: specials.clsToken,
    sepToken: specials.sepToken,
    specialTokens: special,
  });
}

async function trainBpe(
  files: string[],
  scratch: string,
  options: TrainTokenizerOptions,
  specials: SpecialTokens,
  template: "gpt2" | "roberta",
): Promise<TokenizerDocument> {
  const native = new NativeTokenizer(BPE.empty());
  native.setPreTokenizer(byteLevelPreTokenizer(false, true));
  if (options.lowercase === true) native.setNormalizer(lowercaseNormalizer());
  const document = await trainedDocument(native, files, scratch, options.showProgress ?? true);
  const merges = (document.model.merges as Array<[string, string] | string>).map((merge): [string, string] =>
    typeof merge === "string" ? (merge.split(" ") as [string, string]) : merge,
  );
  const special = orderedSpecials(specials);
  // Every byte gets a token, seen in training or not, so no input can ever be unencodable.
  const alphabet = [
    ...new Set([
      ...byId(document.model.vocab as Record<string, number>).filter((t) => codePoints(t) === 1),
      ...byteLevelAlphabet(),
    ]),
  ].sort(byCodePoints);
  const room = Math.max(0, options.vocabSize - special.length - alphabet.length);
  const kept = merges.slice(0, room);
  const vocab = assign([...special, ...alphabet, ...kept.map(([a, b]) => a + b)]);
  const out = byteLevelBpeDocument({
    vocab,
    merges: kept,
    specialTokens: special,
    template,
    ...(specials.clsToken === undefined ? {} : { clsToken: specials.clsToken }),
    ...(specials.sepToken === undefined ? {} : { sepToken: specials.sepToken }),
    ...(specials.maskToken === undefined ? {} : { maskToken: specials.maskToken }),
  });
  if (options.lowercase === true) out.normalizer = { type: "Lowercase" };
  return out;
}

/** Trains a new tokenizer from raw text; see `TrainTokenizerOptions`. */
export async function trainTokenizer(options: TrainTokenizerOptions): Promise<Tokenizer> {
  const { kind, vocabSize } = options;
  if (kind !== "wordpiece" && kind !== "bpe") {
    throw new TokenizerError(
      "INVALID_OPTION",
      `trainTokenizer: kind must be "wordpiece" or "bpe", got ${JSON.stringify(kind)}`,
    );
  }
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) {
    throw new TokenizerError(
      "INVALID_OPTION",
      `trainTokenizer: vocabSize must be a positive integer, got ${String(vocabSize)}`,
    );
  }
  const files = [...(options.files ?? [])];
  files.forEach((file, index) => {
    if (typeof file !== "string") {
      throw new TokenizerError("NOT_A_STRING", `trainTokenizer: files[${index}] must be a path string`);
    }
  });
  const texts = options.texts ?? [];
  texts.forEach((text, index) => {
    if (typeof text !== "string") {
      throw new TokenizerError("NOT_A_STRING", `trainTokenizer: texts[${index}] must be a string, got ${typeof text}`);
    }
  });
  if (files.length === 0 && texts.length === 0) {
    throw new TokenizerError("INVALID_OPTION", "trainTokenizer needs `files` or `texts` to learn from");
  }
  const scratch = await mkdtemp(join(tmpdir(), "warmstart-train-"));
  try {
    if (texts.length > 0) {
      const path = join(scratch, "texts.txt");
      await writeFile(path, texts.join("\n"));
      files.push(path);
    }
    const template = options.template ?? "gpt2";
    const defaults =
      kind === "wordpiece"
        ? BERT_SPECIAL_TOKENS
        : template === "roberta"
          ? ROBERTA_SPECIAL_TOKENS
          : GPT2_SPECIAL_TOKENS;
    const specials = { ...defaults, ...options.specialTokens };
    const document =
      kind === "wordpiece"
        ? await trainWordPiece(files, scratch, options, specials)
        : await trainBpe(files, scratch, options, specials, template);
    const tokenizer = Tokenizer.fromDocument(
      document,
      {
        specialTokens: specials,
        tokenizerClass:
          kind === "wordpiece" ? "BertTokenizer" : template === "roberta" ? "RobertaTokenizer" : "GPT2Tokenizer",
        ...(kind === "wordpiece" || options.lowercase !== undefined ? { doLowerCase: options.lowercase ?? true } : {}),
        ...(options.modelMaxLength === undefined ? {} : { modelMaxLength: options.modelMaxLength }),
      },
      "trainTokenizer",
    );
    if (options.outputDir !== undefined) await tokenizer.save(options.outputDir);
    return tokenizer;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
