import { SeededRandom } from "@warmstart/core";
import type { BrownDocument, TaggedToken } from "./brown-corpus.js";
import { capitalise, detokenize } from "./detokenize.js";

/**
 * The demo's seq2seq task, in the spirit of DiscoFuse (Geva et al. 2019) and WikiSplit (Botha et al. 2018):
 * corpus sentences of the form "A, <connective> B." give two examples.
 *  - fuse:  "A. B."  → "A, but B."  (join two sentences, restoring the connective)
 *  - split: "A, but B." → "A. B."   (split one sentence in two, removing the connective)
 * Each source sentence yields one of the two, picked by the seed, so no pair and its reverse both occur.
 */
export type FusionDirection = "fuse" | "split";

/** Coordinating connectives a clause boundary ", <word>" may carry. */
export const CONNECTIVES = ["but", "and", "so", "yet", "or"] as const;

export interface FusionExample {
  direction: FusionDirection;
  source: string;
  target: string;
  connective: string;
  /** Corpus file the sentence came from. */
  document: string;
}

/** A sentence cut at its ", <connective>" clause boundary. */
export interface ClauseSplit {
  left: TaggedToken[];
  connective: string;
  right: TaggedToken[];
  /** The sentence-final punctuation token. */
  end: TaggedToken;
}

export interface SplitOptions {
  /** Each clause needs at least this many tokens (default 4). */
  minClauseTokens?: number;
  /** Longer sentences are skipped, to fit small models (default 40 tokens). */
  maxTokens?: number;
}

// Quotes and brackets make the cut ambiguous (a connective inside a quotation); such sentences are skipped.
const UNBALANCED = new Set(["``", "''", "(", ")", "[", "]", ";", ":", "--"]);
/** Brown verb tags: vb*, be*, hv*, do*, md; a clause needs one. */
const isVerb = (t: TaggedToken): boolean => /^(vb|be|hv|do|md)/.test(t.tag);

/** Finds the first ", <connective>" that separates two clauses with a verb each, or null. */
export function findClauseSplit(sentence: readonly TaggedToken[], options: SplitOptions = {}): ClauseSplit | null {
  const minClause = options.minClauseTokens ?? 4;
  const maxTokens = options.maxTokens ?? 40;
  const end = sentence[sentence.length - 1];
  if (end === undefined || end.word !== "." || sentence.length > maxTokens) return null;
  if (sentence.some((t) => UNBALANCED.has(t.word))) return null;
  // The corpus's sentence breaks are imperfect: a lower-case start is the tail of a longer sentence.
  if (/^[a-z]/.test(sentence[0]?.word ?? "")) return null;
  for (let i = minClause; i + 1 < sentence.length - minClause; i++) {
    const comma = sentence[i] as TaggedToken;
    const word = (sentence[i + 1] as TaggedToken).word.toLowerCase();
    if (comma.word !== "," || !(CONNECTIVES as readonly string[]).includes(word)) continue;
    const left = sentence.slice(0, i);
    const right = sentence.slice(i + 2, sentence.length - 1);
    if (right.length < minClause || !left.some(isVerb) || !right.some(isVerb)) continue;
    // The second clause needs its own subject: "and placed them" (shared subject) or "so that …" (purpose)
    // would not stand as a sentence after splitting.
    const head = right[0] as TaggedToken;
    // ", but, I understand, it …": a parenthetical after the connective, not a clause that can start a sentence.
    if (!/^[\p{L}\p{N}]/u.test(head.word)) continue;
    if (isVerb(head) || head.word.toLowerCase() === "that" || /^(rb|in|cs|wdt|wrb|to)/.test(head.tag)) continue;
    // A comma inside either clause often means a list ("red, white, and blue"), not two clauses.
    if (right.some((t) => t.word === ",") && word === "and") continue;
    return { left, connective: word, right, end };
  }
  return null;
}

/** "A, but B." as text. */
export function fusedText(split: ClauseSplit): string {
  return detokenize([
    ...split.left.map((t) => t.word),
    ",",
    split.connective,
    ...split.right.map((t) => t.word),
    split.end.word,
  ]);
}

/** "A. B." as text: the connective removed, the second clause a sentence of its own. */
export function splitText(split: ClauseSplit): string {
  const [first, ...rest] = split.right;
  const second = first === undefined ? [] : [capitalise(first.word), ...rest.map((t) => t.word)];
  return `${detokenize([...split.left.map((t) => t.word), "."])} ${detokenize([...second, split.end.word])}`;
}

export interface FusionTaskOptions extends SplitOptions {
  seed: number;
  /** Share of documents kept out of pre-training for the task (default 0.5). */
  taskShare?: number;
  /** Shares of the task documents for validation and test (default 0.15 each; the rest trains). */
  validationShare?: number;
  testShare?: number;
}

export interface FusionTask {
  /** Pre-training text: every sentence of the pre-training documents, one per entry. */
  pretrainSentences: string[];
  train: FusionExample[];
  validation: FusionExample[];
  test: FusionExample[];
  /** Which documents went where, for the report. */
  documents: { pretrain: string[]; train: string[]; validation: string[]; test: string[] };
}

function examplesOf(doc: BrownDocument, rng: SeededRandom, options: SplitOptions): FusionExample[] {
  const out: FusionExample[] = [];
  for (const paragraph of doc.paragraphs) {
    for (const sentence of paragraph) {
      const split = findClauseSplit(sentence, options);
      if (split === null) continue;
      const fused = fusedText(split);
      const apart = splitText(split);
      const direction: FusionDirection = rng.float() < 0.5 ? "fuse" : "split";
      out.push({
        direction,
        source: direction === "fuse" ? apart : fused,
        target: direction === "fuse" ? fused : apart,
        connective: split.connective,
        document: doc.id,
      });
    }
  }
  return out;
}

/**
 * Splits the corpus by document (so no text is shared between pre-training, task training and evaluation) and
 * builds the fusion / splitting examples of the task documents. Deterministic for a given seed.
 */
export function buildFusionTask(documents: readonly BrownDocument[], options: FusionTaskOptions): FusionTask {
  const rng = new SeededRandom(options.seed);
  const order = rng.shuffled(documents);
  const taskCount = Math.max(3, Math.round(order.length * (options.taskShare ?? 0.5)));
  const pretrainDocs = order.slice(taskCount);
  const taskDocs = order.slice(0, taskCount);
  const validationCount = Math.max(1, Math.round(taskDocs.length * (options.validationShare ?? 0.15)));
  const testCount = Math.max(1, Math.round(taskDocs.length * (options.testShare ?? 0.15)));
  const testDocs = taskDocs.slice(0, testCount);
  const validationDocs = taskDocs.slice(testCount, testCount + validationCount);
  const trainDocs = taskDocs.slice(testCount + validationCount);
  const build = (docs: readonly BrownDocument[]): FusionExample[] => docs.flatMap((d) => examplesOf(d, rng, options));
  const pretrainSentences = pretrainDocs.flatMap((d) =>
    d.paragraphs.flatMap((p) => p.map((s) => detokenize(s.map((t) => t.word)))),
  );
  return {
    pretrainSentences,
    train: build(trainDocs),
    validation: build(validationDocs),
    test: build(testDocs),
    documents: {
      pretrain: pretrainDocs.map((d) => d.id),
      train: trainDocs.map((d) => d.id),
      validation: validationDocs.map((d) => d.id),
      test: testDocs.map((d) => d.id),
    },
  };
}
