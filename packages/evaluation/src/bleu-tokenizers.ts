/**
 * sacreBLEU's tokenizers `13a` (mteval-v13a.pl, the default), `intl` (mteval-v14.pl international),
 * `char` and `none`, returning the tokenized line as one space-joined string as sacreBLEU does.
 */
import { pyCollapseSpaces } from "./python-text.js";

export type BleuTokenizerName = "13a" | "none" | "intl" | "char";

export const BLEU_TOKENIZERS: readonly BleuTokenizerName[] = ["13a", "none", "intl", "char"];

// mteval-v13a's language-dependent rules, applied in this order (sacrebleu tokenizer_re.py):
// ASCII symbols {-~ [-` space-& (-+ :-@ and / are padded; period and comma split off unless between digits;
// a dash after a digit is split off.
const SYMBOLS_13A = /([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/g;
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/gu;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/gu;
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

export function tokenize13a(line: string): string {
  let s = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (s.includes("&")) {
    s = s.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  s = ` ${s} `;
  s = s.replace(SYMBOLS_13A, " $1 ");
  s = s.replace(PERIOD_COMMA_AFTER_NON_DIGIT, "$1 $2 ");
  s = s.replace(PERIOD_COMMA_BEFORE_NON_DIGIT, " $1 $2");
  s = s.replace(DASH_AFTER_DIGIT, "$1 $2 ");
  return pyCollapseSpaces(s);
}

// mteval-v14's international rules on Unicode categories: punctuation split off unless it touches a
// number on the relevant side, and every symbol padded.
const PUNCT_AFTER_NON_NUMBER = /(\P{N})(\p{P})/gu;
const PUNCT_BEFORE_NON_NUMBER = /(\p{P})(\P{N})/gu;
const SYMBOL = /(\p{S})/gu;

export function tokenizeIntl(line: string): string {
  let s = line.replace(PUNCT_AFTER_NON_NUMBER, "$1 $2 ");
  s = s.replace(PUNCT_BEFORE_NON_NUMBER, " $1 $2");
  s = s.replace(SYMBOL, " $1 ");
  return pyCollapseSpaces(s);
}

/** Every code point becomes a token (spaces included; the n-gram split drops them again). */
export function tokenizeChar(line: string): string {
  return Array.from(line).join(" ");
}

export function tokenizeNone(line: string): string {
  return line;
}

export function getBleuTokenizer(name: BleuTokenizerName): (line: string) => string {
  switch (name) {
    case "13a":
      return tokenize13a;
    case "intl":
      return tokenizeIntl;
    case "char":
      return tokenizeChar;
    case "none":
      return tokenizeNone;
  }
}
