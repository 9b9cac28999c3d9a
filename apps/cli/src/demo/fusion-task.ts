import { SeededRandom } from "@warmstart/core";
import type { BrownDocument, TaggedToken } from "./brown-corpus.js";
import { capitalise, detokenize } from "./detokenize.js";

/**
 * The demo's seq2seq task, in the spirit of DiscoFuse (Geva et al. 2019) and WikiSplit (Botha et al. 2018): corpus
 * text that one writer could have put as one sentence or as two gives a pair of texts, fused and apart.
 *  - fuse:  the two sentences → the one sentence
 *  - split: the one sentence  → the two sentences
 * Each corpus sentence (or adjacent pair) yields one of the two, picked by the seed, so no pair and its reverse
 * both occur. Every side is text the corpus wrote or a rewrite a writer would make; the kinds:
 *  - coordination: "A, but B." ↔ "A. B." (the connective, one of CONNECTIVES, is dropped on splitting, so fusing
 *    means choosing it);
 *  - conjunction-pair: the same from two adjacent sentences "A. But B." of a paragraph;
 *  - pronoun-pair: "A, and he B." ↔ "A. He B." from two adjacent short sentences, the second opened by a subject
 *    pronoun (plain "and" coordination, as a writer joins two sentences about the same scene);
 *  - adverbial:    "A; however, B." ↔ "A. However, B." (a discourse adverbial of DISCOURSE_ADVERBIALS, kept on
 *    both sides: from one corpus sentence, or from two adjacent sentences of a paragraph);
 *  - semicolon:    "A; B." ↔ "A. B.";
 *  - because:      "A because B." ↔ "A. This is because B." ("This was" after a past-tense A).
 * The adverbial is kept rather than swapped for "but" / "so" (DiscoFuse's other option) because "A, but B." is
 * already the fused side of a coordination, whose split drops the connective: one input, two answers.
 */
export type FusionDirection = "fuse" | "split";

export type FusionKind = "coordination" | "conjunction-pair" | "pronoun-pair" | "adverbial" | "semicolon" | "because";

export const FUSION_KINDS: readonly FusionKind[] = [
  "coordination",
  "conjunction-pair",
  "pronoun-pair",
  "adverbial",
  "semicolon",
  "because",
];

/** Coordinating connectives a clause boundary ", <word>" may carry. */
export const CONNECTIVES = ["but", "and", "so", "yet", "or"] as const;

/**
 * Sentence adverbials that link a sentence to the one before and read the same after a semicolon, lower-case,
 * one word or several. Time and sequence words ("then", "now", "first") are left out: they often modify only the
 * next phrase, not the clause.
 */
export const DISCOURSE_ADVERBIALS: readonly (readonly string[])[] = [
  "however",
  "nevertheless",
  "nonetheless",
  "therefore",
  "thus",
  "consequently",
  "hence",
  "accordingly",
  "moreover",
  "furthermore",
  "besides",
  "meanwhile",
  "instead",
  "otherwise",
  "indeed",
  "similarly",
  "likewise",
  "still",
  "also",
  "in addition",
  "in fact",
  "after all",
  "for example",
  "for instance",
  "of course",
  "in general",
  "in contrast",
  "by contrast",
  "on the contrary",
  "on the other hand",
  "in other words",
  "as a result",
  "at any rate",
  "in short",
  "in particular",
].map((phrase) => phrase.split(" "));

export interface FusionExample {
  direction: FusionDirection;
  kind: FusionKind;
  source: string;
  target: string;
  /** What links the two parts: the coordinating word, the adverbial ("on the other hand"), ";" or "because". */
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

/**
 * Two clauses a semicolon joins or a full stop separates, the second optionally opened by a discourse adverbial
 * and its comma ("; however, B").
 */
export interface SentenceJoin {
  left: TaggedToken[];
  /** The adverbial's words as the corpus has them (empty for a bare semicolon). */
  adverbial: TaggedToken[];
  right: TaggedToken[];
  end: TaggedToken;
}

/** "A because B.": the reason clause and the tense its split sentence takes. */
export interface BecauseSplit {
  left: TaggedToken[];
  right: TaggedToken[];
  end: TaggedToken;
  /**
   * The tense of A's last verb that carries one (no modal, no base form after one; B's when A has none) is past:
   * the split says "This was because", else "This is because".
   */
  past: boolean;
}

export interface SplitOptions {
  /** Each clause needs at least this many tokens (default 4). */
  minClauseTokens?: number;
  /** Examples with a side longer than this many tokens are skipped, to fit small models (default 40). */
  maxTokens?: number;
}

// Quotes and brackets make the cut ambiguous (a connective inside a quotation); such sentences are skipped.
const UNBALANCED = new Set(["``", "''", "(", ")", "[", "]", ";", ":", "--"]);
/** Brown verb tags: vb*, be*, hv*, do*, md; a clause needs one. */
const isVerb = (t: TaggedToken): boolean => /^(vb|be|hv|do|md)/.test(t.tag);

/**
 * The parts of a Brown tag, without the headline / title / cited-word suffixes and the negation star:
 * `ppss+md` → [ppss, md], `bez*` → [bez], `vbd-hl` → [vbd].
 */
const tagParts = (t: TaggedToken): string[] =>
  t.tag.split("+").map((part) => part.replace(/-(hl|tl|nc)/g, "").replace(/\*$/, ""));
/** A finite verb (or modal): what makes a clause a sentence. Base-form `vb` counts (present plural, after "do"). */
const FINITE = /^(vb|vbd|vbz|md|bem|ber|bez|bed|bedz|hv|hvd|hvz|do|dod|doz)$/;
/** A verb form whose clause is past tense. */
const PAST = /^(vbd|bed|bedz|hvd|dod)$/;
/** Tags that can be (the head of) a clause's subject. */
const NOMINAL = /^(nn|nns|np|nps|nr|nrs|pn|pps|ppss|ex|cd|dt|dts|dti|dtx|abn|ap|nn\$|nns\$|np\$)$/;
/** Heads of a clause that may not open a sentence once cut from the one before. */
const NEVER_OPENS = /^(cs|cc|wdt|wps|wpo|wrb|wql|to|in|rb|rbr|ql|\*)$/;
/** Heads of a sentence that opens with a dependent clause ("If …", "When …", "Which …"). */
const SUBORDINATOR = /^(cs|wdt|wps|wpo|wrb|wql)$/;

const hasFiniteVerb = (t: TaggedToken): boolean => tagParts(t).some((p) => FINITE.test(p));
const isNominal = (t: TaggedToken): boolean => NOMINAL.test(tagParts(t)[0] ?? "");

/** Adverbs, negation and qualifiers may stand between a subject and its verb ("he also has", "it did not"). */
const BETWEEN_SUBJECT_AND_VERB = /^(rb|rbr|ql|\*)$/;
/** Tags that may end a subject: its noun, a pronoun, a number, or the relative pronoun of a clause inside it. */
const SUBJECT_END = /^(nn|nns|np|nps|nr|nrs|pn|pps|ppss|ppl|ppls|ex|cd|dt|dts|dtx|abn|ap|jj|wps|wdt|nn\$|nns\$|np\$)$/;

/**
 * A clause with a subject: its first finite verb follows a noun or pronoun (adverbs between allowed), or is fused
 * with one ("I'll"). "in the evening, cooked dinner" fails: a comma, not a subject, comes before the verb.
 */
function hasSubjectAndVerb(tokens: readonly TaggedToken[]): boolean {
  const verbAt = tokens.findIndex(hasFiniteVerb);
  if (verbAt < 0) return false;
  const verb = tokens[verbAt] as TaggedToken;
  if (tagParts(verb).length > 1 && isNominal(verb)) return true;
  for (let i = verbAt - 1; i >= 0; i--) {
    const first = tagParts(tokens[i] as TaggedToken)[0] ?? "";
    if (BETWEEN_SUBJECT_AND_VERB.test(first)) continue;
    return SUBJECT_END.test(first);
  }
  return false;
}

/** A clause: a word first that is no verb, then a subject and a finite verb. */
function isClause(tokens: readonly TaggedToken[], minTokens: number): boolean {
  const head = tokens[0];
  if (head === undefined || tokens.length < minTokens || !/^[\p{L}\p{N}]/u.test(head.word)) return false;
  return !isVerb(head) && hasSubjectAndVerb(tokens);
}

/**
 * Whether `tokens` (no final punctuation), taken from inside a sentence, can open a sentence of its own: a clause
 * whose head is no subordinator, relative, preposition or adverb. "which …", "to …" belong to the clause before;
 * "so hard that …", "in a system where …", "for the students apply …" are phrases or share a subject even when a
 * noun and a verb follow, so they are skipped too.
 */
function standsAlone(tokens: readonly TaggedToken[], minTokens: number): boolean {
  const head = tokens[0];
  if (head === undefined || NEVER_OPENS.test(tagParts(head)[0] ?? "") || head.word.toLowerCase() === "that") {
    return false;
  }
  return isClause(tokens, minTokens);
}

/** The first part of a corpus sentence (its head already checked by isCleanSentence) is a clause. */
const isMainClause = (tokens: readonly TaggedToken[], minTokens: number): boolean =>
  tokens.length >= minTokens && hasSubjectAndVerb(tokens);

/** A corpus sentence fit to be cut: a full stop at the end, no lower-case start, no more than `limit` tokens. */
function isCleanSentence(sentence: readonly TaggedToken[], limit: number, allowed: ReadonlySet<string>): boolean {
  const end = sentence[sentence.length - 1];
  if (end === undefined || end.word !== "." || sentence.length > limit) return false;
  if (sentence.some((t) => UNBALANCED.has(t.word) && !allowed.has(t.word))) return false;
  // The corpus's sentence breaks are imperfect: a lower-case start is the tail of a longer sentence.
  return !/^[a-z]/.test(sentence[0]?.word ?? "");
}

const NOTHING_ALLOWED: ReadonlySet<string> = new Set();
const SEMICOLON_ALLOWED: ReadonlySet<string> = new Set([";"]);

/** Finds the first ", <connective>" that separates two clauses with a verb each, or null. */
export function findClauseSplit(sentence: readonly TaggedToken[], options: SplitOptions = {}): ClauseSplit | null {
  const minClause = options.minClauseTokens ?? 4;
  const maxTokens = options.maxTokens ?? 40;
  if (!isCleanSentence(sentence, maxTokens, NOTHING_ALLOWED)) return null;
  const end = sentence[sentence.length - 1] as TaggedToken;
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

/** The discourse adverbial and its comma that open `tokens` ("However ,", "On the other hand ,"), or null. */
function leadingAdverbial(tokens: readonly TaggedToken[]): TaggedToken[] | null {
  for (const phrase of DISCOURSE_ADVERBIALS) {
    const matches = phrase.every((word, i) => tokens[i]?.word.toLowerCase() === word);
    if (matches && tokens[phrase.length]?.word === ",") return tokens.slice(0, phrase.length);
  }
  return null;
}

/** Splits the clause after a semicolon or full stop into its adverbial (if any) and the clause itself. */
function joinParts(
  left: TaggedToken[],
  second: readonly TaggedToken[],
  end: TaggedToken,
  minClause: number,
): SentenceJoin | null {
  if (!isMainClause(left, minClause)) return null;
  const adverbial = leadingAdverbial(second) ?? [];
  const right = adverbial.length === 0 ? [...second] : second.slice(adverbial.length + 1);
  // After an adverbial the clause never opens a sentence (the adverbial does), so any clause will do; a bare
  // "; B" opens the second sentence, and may lead with a conjunction or a plain adverb when a sentence follows it
  // ("; but she …" → ". But she …", "; soon the trade …" → ". Soon the trade …"; not "; so hard that …").
  const opensSentence =
    standsAlone(right, minClause) ||
    (/^(cc|rb)$/.test(right[0]?.tag ?? "") && standsAlone(right.slice(1), minClause - 1));
  if (adverbial.length > 0 ? !isClause(right, minClause) : !opensSentence) return null;
  return { left, adverbial, right, end };
}

/**
 * "A; B." or "A; however, B." with one semicolon between two clauses that each stand as a sentence, or null.
 * Semicolons that separate list items ("Boston, Mass.; Austin, Tex.") fail the clause test.
 */
export function findSemicolonSplit(sentence: readonly TaggedToken[], options: SplitOptions = {}): SentenceJoin | null {
  const minClause = options.minClauseTokens ?? 4;
  if (!isCleanSentence(sentence, options.maxTokens ?? 40, SEMICOLON_ALLOWED)) return null;
  const at = sentence.findIndex((t) => t.word === ";");
  if (at < 0 || sentence.findIndex((t, i) => i > at && t.word === ";") >= 0) return null;
  const end = sentence[sentence.length - 1] as TaggedToken;
  return joinParts(sentence.slice(0, at), sentence.slice(at + 1, -1), end, minClause);
}

/**
 * Two adjacent sentences "A. However, B." of a paragraph, the second opened by a discourse adverbial, that fuse
 * into "A; however, B.", both sides at most `maxTokens` tokens, or null.
 */
export function findAdverbialPair(
  first: readonly TaggedToken[],
  second: readonly TaggedToken[],
  options: SplitOptions = {},
): SentenceJoin | null {
  const minClause = options.minClauseTokens ?? 4;
  const maxTokens = options.maxTokens ?? 40;
  // The two sentences are the longer side (the fused one turns the first full stop into the semicolon).
  if (first.length + second.length > maxTokens) return null;
  if (!isCleanSentence(first, maxTokens, NOTHING_ALLOWED) || !isCleanSentence(second, maxTokens, NOTHING_ALLOWED)) {
    return null;
  }
  if (leadingAdverbial(second) === null) return null;
  return joinParts(first.slice(0, -1), second.slice(0, -1), second[second.length - 1] as TaggedToken, minClause);
}

/** Sentence-opening conjunctions that join two sentences into "A, but B.", lower-case. */
const SENTENCE_CONJUNCTIONS = new Set<string>(CONNECTIVES);

/**
 * Two adjacent sentences "A. But B." of a paragraph (But, And, So, Yet or Or opening the second, no comma after
 * it) that fuse into the coordination "A, but B." of at most `maxTokens` tokens, or null. The pair's split side
 * drops the conjunction, as a coordination's does: one fused sentence, one split.
 */
export function findConjunctionPair(
  first: readonly TaggedToken[],
  second: readonly TaggedToken[],
  options: SplitOptions = {},
): ClauseSplit | null {
  const minClause = options.minClauseTokens ?? 4;
  const maxTokens = options.maxTokens ?? 40;
  if (first.length + second.length - 1 > maxTokens) return null;
  if (!isCleanSentence(first, maxTokens, NOTHING_ALLOWED) || !isCleanSentence(second, maxTokens, NOTHING_ALLOWED)) {
    return null;
  }
  const opener = second[0] as TaggedToken;
  const connective = opener.word.toLowerCase();
  if (!SENTENCE_CONJUNCTIONS.has(connective) || opener.word === connective || second[1]?.word === ",") return null;
  const left = first.slice(0, -1);
  // "But A, but B." or "A, and he B, but C.": a second conjunction would stack on the first.
  if (opensWithConjunction(first) || hasClauseConjunction(left)) return null;
  const right = second.slice(1, -1);
  // The rest of a sentence after its opening "But" is a sentence too ("But in the end they won." → "In the end
  // they won."), so any clause will do.
  if (!isMainClause(left, minClause) || !isClause(right, minClause)) return null;
  return { left, connective, right, end: second[second.length - 1] as TaggedToken };
}

/**
 * Subject pronouns (and existential "there") that open the second sentence of a pronoun pair, lower-cased after
 * the comma but for "I".
 */
const PRONOUN_SUBJECTS = new Set(["He", "She", "It", "They", "We", "You", "I", "There"]);
/** Words that contrast B with A: "A, and it will, however, …" says the opposite of what "and" does. */
const CONTRASTING = new Set(["however", "nevertheless", "nonetheless", "though", "instead", "although"]);
/** "But …", "For …", "Although …": a sentence tied to the one before, or a dependent clause first. */
const opensWithConjunction = (sentence: readonly TaggedToken[]): boolean =>
  /^(cc|cs)$/.test(tagParts(sentence[0] as TaggedToken)[0] ?? "") ||
  SENTENCE_CONJUNCTIONS.has(sentence[0]?.word.toLowerCase() ?? "");
/** ", and …", "but …", "yet …" or "and he …": a second coordination, which "A, and he B" would stack on. */
const hasClauseConjunction = (tokens: readonly TaggedToken[]): boolean =>
  tokens.some((t, i) => {
    const next = tokens[i + 1];
    if (t.word === "," && SENTENCE_CONJUNCTIONS.has(next?.word.toLowerCase() ?? "")) return true;
    if (t.word === "but" || t.word === "yet") return true;
    return t.tag === "cc" && next !== undefined && /^(pps|ppss)/.test(next.tag);
  });

/**
 * Two adjacent sentences "A. He B." of a paragraph, the second opened by a subject pronoun, that fuse into the
 * plain coordination "A, and he B." of at most `maxTokens` tokens, or null. Kept to pairs that read as one
 * sentence: A has no comma and opens with no conjunction, B is no coordination itself ("A, and he B, but C").
 */
export function findPronounPair(
  first: readonly TaggedToken[],
  second: readonly TaggedToken[],
  options: SplitOptions = {},
): ClauseSplit | null {
  const minClause = options.minClauseTokens ?? 4;
  const maxTokens = options.maxTokens ?? 40;
  // "A. He B." → "A, and he B.": the full stop becomes a comma, "and" is added.
  if (first.length + second.length > maxTokens) return null;
  if (!isCleanSentence(first, maxTokens, NOTHING_ALLOWED) || !isCleanSentence(second, maxTokens, NOTHING_ALLOWED)) {
    return null;
  }
  const pronoun = second[0] as TaggedToken;
  // "I, who …": a parenthetical between subject and verb reads as a list after ", and".
  if (!PRONOUN_SUBJECTS.has(pronoun.word) || !/^(pps|ppss|ex)/.test(pronoun.tag) || second[1]?.word === ",") {
    return null;
  }
  if (opensWithConjunction(first)) {
    return null;
  }
  const left = first.slice(0, -1);
  if (left.some((t) => t.word === ",") || hasClauseConjunction(left) || !isMainClause(left, minClause)) return null;
  const right = second.slice(0, -1);
  if (hasClauseConjunction(right) || right.some((t) => CONTRASTING.has(t.word.toLowerCase()))) return null;
  if (!standsAlone(right, minClause)) return null;
  const head = pronoun.word === "I" ? pronoun : { ...pronoun, word: pronoun.word.toLowerCase() };
  return { left, connective: "and", right: [head, ...right.slice(1)], end: second[second.length - 1] as TaggedToken };
}

const words = (tokens: readonly TaggedToken[]): string[] => tokens.map((t) => t.word);

/** "A; B." or "A; however, B." as text (the adverbial lower-case after the semicolon). */
export function semicolonText(join: SentenceJoin): string {
  const [lead, ...restOfAdverbial] = words(join.adverbial);
  const adverbial = lead === undefined ? [] : [lead.toLowerCase(), ...restOfAdverbial, ","];
  return detokenize([...words(join.left), ";", ...adverbial, ...words(join.right), join.end.word]);
}

/** "A. B." or "A. However, B." as text: the second part a sentence of its own, capitalised. */
export function twoSentencesText(join: SentenceJoin): string {
  const second =
    join.adverbial.length === 0 ? words(join.right) : [...words(join.adverbial), ",", ...words(join.right)];
  const [head, ...rest] = second;
  const opened = head === undefined ? [] : [capitalise(head), ...rest];
  return `${detokenize([...words(join.left), "."])} ${detokenize([...opened, join.end.word])}`;
}

/** Words before "because" that modify the reason ("not because", "partly because"): the split would drop them. */
const REASON_MODIFIERS = new Set([
  "not",
  "only",
  "just",
  "simply",
  "largely",
  "partly",
  "mainly",
  "chiefly",
  "primarily",
  "solely",
  "mostly",
  "merely",
  "precisely",
  "exactly",
  "perhaps",
  "probably",
  "possibly",
  "apparently",
  "presumably",
  "especially",
  "particularly",
  "and",
  "or",
  "but",
  "is",
  "was",
  "are",
  "were",
  "be",
  "been",
]);

/**
 * "A because B." where both A and the reason B stand as sentences, or null. Reasons that run on into another
 * clause (a comma in B), "because of" and modified reasons ("not because") are skipped: their split would change
 * what the sentence says.
 */
export function findBecauseSplit(sentence: readonly TaggedToken[], options: SplitOptions = {}): BecauseSplit | null {
  const minClause = options.minClauseTokens ?? 4;
  // The split adds three tokens: ". This is".
  if (!isCleanSentence(sentence, (options.maxTokens ?? 40) - 3, NOTHING_ALLOWED)) return null;
  const at = sentence.findIndex((t) => t.word === "because");
  if (at < 0) return null;
  let left = sentence.slice(0, at);
  if (left[left.length - 1]?.word === ",") left = left.slice(0, -1);
  const right = sentence.slice(at + 1, -1);
  const before = left[left.length - 1];
  if (before === undefined || REASON_MODIFIERS.has(before.word.toLowerCase())) return null;
  // "If he left because he was ill, …": the reason belongs to a dependent clause, the main clause comes after it.
  if (SUBORDINATOR.test(tagParts(left[0] as TaggedToken)[0] ?? "")) return null;
  if (right[0]?.word === "of" || right.some((t) => t.word === "," || t.word === "because")) return null;
  // B stays after "because" in both forms, so it only has to be a clause.
  if (!isMainClause(left, minClause) || !isClause(right, minClause)) return null;
  // The tense of the clause the reason attaches to: its last verb that is no modal ("… said, many are not going
  // because …" is present; "… took a razor, but left the promise that it would be …" past).
  // A with modals only ("Charlie would get there early because he had the key") takes the tense of B.
  const verbs = tensedVerbs(left).length > 0 ? tensedVerbs(left) : tensedVerbs(right);
  const last = verbs[verbs.length - 1];
  const past = last !== undefined && tagParts(last).some((p) => PAST.test(p));
  return { left, right, end: sentence[sentence.length - 1] as TaggedToken, past };
}

/** Brown's modals and "do": the verb after one ("would get", "did go") is a base form and carries no tense. */
const TAKES_BASE_FORM = /^(md|do|dod|doz)$/;

/** The finite verbs of a clause that carry its tense: no modal, no base form after a modal or "do". */
function tensedVerbs(tokens: readonly TaggedToken[]): TaggedToken[] {
  const out: TaggedToken[] = [];
  let afterModal = false;
  for (const t of tokens) {
    const parts = tagParts(t);
    if (parts.some((p) => TAKES_BASE_FORM.test(p))) {
      afterModal = true;
      continue;
    }
    if (BETWEEN_SUBJECT_AND_VERB.test(parts[0] ?? "")) continue;
    if (hasFiniteVerb(t) && !afterModal) out.push(t);
    afterModal = false;
  }
  return out;
}

/** "A because B." as text. */
export function becauseFusedText(split: BecauseSplit): string {
  return detokenize([...words(split.left), "because", ...words(split.right), split.end.word]);
}

/** "A. This is because B." as text. */
export function becauseSplitText(split: BecauseSplit): string {
  const link = ["This", split.past ? "was" : "is", "because"];
  return `${detokenize([...words(split.left), "."])} ${detokenize([...link, ...words(split.right), split.end.word])}`;
}

/** One text that reads as one sentence or as two, before a direction is picked. */
export interface FusionPair {
  kind: FusionKind;
  connective: string;
  /** The one-sentence side. */
  fused: string;
  /** The two-sentence side. */
  apart: string;
}

const coordinationPair = (kind: FusionKind, split: ClauseSplit): FusionPair => ({
  kind,
  connective: split.connective,
  fused: fusedText(split),
  apart: splitText(split),
});
const adverbialWord = (join: SentenceJoin): string => words(join.adverbial).join(" ").toLowerCase();
const fromJoin = (join: SentenceJoin): FusionPair =>
  join.adverbial.length === 0
    ? { kind: "semicolon", connective: ";", fused: semicolonText(join), apart: twoSentencesText(join) }
    : { kind: "adverbial", connective: adverbialWord(join), fused: semicolonText(join), apart: twoSentencesText(join) };

/**
 * The fusion pairs of one paragraph in reading order, each sentence in at most one: adjacent "A. However, B."
 * sentences first (the rarest kind), then each remaining sentence as a coordination, a semicolon sentence or a
 * "because" sentence, whichever it is first.
 */
export function findFusionPairs(
  paragraph: readonly (readonly TaggedToken[])[],
  options: SplitOptions = {},
): FusionPair[] {
  const found = new Map<number, FusionPair>();
  const used = new Set<number>();
  for (let i = 1; i < paragraph.length; i++) {
    if (used.has(i - 1)) continue;
    const first = paragraph[i - 1] as TaggedToken[];
    const second = paragraph[i] as TaggedToken[];
    const join = findAdverbialPair(first, second, options);
    const conjunction = join === null ? findConjunctionPair(first, second, options) : null;
    if (join !== null) found.set(i - 1, fromJoin(join));
    else if (conjunction !== null) found.set(i - 1, coordinationPair("conjunction-pair", conjunction));
    else continue;
    used.add(i - 1).add(i);
  }
  paragraph.forEach((sentence, i) => {
    if (used.has(i)) return;
    used.add(i);
    const clause = findClauseSplit(sentence, options);
    if (clause !== null) {
      found.set(i, coordinationPair("coordination", clause));
      return;
    }
    const join = findSemicolonSplit(sentence, options);
    if (join !== null) {
      found.set(i, fromJoin(join));
      return;
    }
    const because = findBecauseSplit(sentence, options);
    if (because !== null) {
      found.set(i, {
        kind: "because",
        connective: "because",
        fused: becauseFusedText(because),
        apart: becauseSplitText(because),
      });
      return;
    }
    used.delete(i);
  });
  // Pronoun pairs last: the most plentiful kind takes only sentences no other kind wanted.
  for (let i = 1; i < paragraph.length; i++) {
    if (used.has(i - 1) || used.has(i)) continue;
    const pair = findPronounPair(paragraph[i - 1] as TaggedToken[], paragraph[i] as TaggedToken[], options);
    if (pair === null) continue;
    found.set(i - 1, coordinationPair("pronoun-pair", pair));
    used.add(i - 1).add(i);
  }
  return [...found].sort((a, b) => a[0] - b[0]).map(([, pair]) => pair);
}

export interface FusionTaskOptions extends SplitOptions {
  seed: number;
  /** Share of the documents for validation (default 0.1). */
  validationShare?: number;
  /** Share of the documents for test (default 0.15); the rest trains. */
  testShare?: number;
}

export interface FusionTask {
  train: FusionExample[];
  validation: FusionExample[];
  test: FusionExample[];
  /** Which documents went where, for the report. */
  documents: { train: string[]; validation: string[]; test: string[] };
}

function examplesOf(doc: BrownDocument, rng: SeededRandom, options: SplitOptions): FusionExample[] {
  return doc.paragraphs.flatMap((paragraph) =>
    findFusionPairs(paragraph, options).map((pair): FusionExample => {
      const direction: FusionDirection = rng.float() < 0.5 ? "fuse" : "split";
      return {
        direction,
        kind: pair.kind,
        source: direction === "fuse" ? pair.apart : pair.fused,
        target: direction === "fuse" ? pair.fused : pair.apart,
        connective: pair.connective,
        document: doc.id,
      };
    }),
  );
}

/**
 * Splits the documents into train / validation / test (so no text is shared between fine-tuning and evaluation)
 * and builds the fusion / splitting examples of each. Deterministic for a given seed.
 */
export function buildFusionTask(documents: readonly BrownDocument[], options: FusionTaskOptions): FusionTask {
  const rng = new SeededRandom(options.seed);
  const order = rng.shuffled(documents);
  const testCount = Math.max(1, Math.round(order.length * (options.testShare ?? 0.15)));
  const validationCount = Math.max(1, Math.round(order.length * (options.validationShare ?? 0.1)));
  const testDocs = order.slice(0, testCount);
  const validationDocs = order.slice(testCount, testCount + validationCount);
  const trainDocs = order.slice(testCount + validationCount);
  const build = (docs: readonly BrownDocument[]): FusionExample[] => docs.flatMap((d) => examplesOf(d, rng, options));
  return {
    train: build(trainDocs),
    validation: build(validationDocs),
    test: build(testDocs),
    documents: {
      train: trainDocs.map((d) => d.id),
      validation: validationDocs.map((d) => d.id),
      test: testDocs.map((d) => d.id),
    },
  };
}
