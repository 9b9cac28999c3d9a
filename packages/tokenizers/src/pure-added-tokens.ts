// Added tokens that swallow the whitespace beside them (`lstrip` / `rstrip`, e.g. RoBERTa's <mask>). The Rust library
// strips Unicode White_Space and reports the token as the text it covered (" <mask>"); @huggingface/tokenizers 0.2.0
// strips with `trimEnd` / `trimStart` (which take U+FEFF and leave U+0085, so the ids change next to those) and
// reports the bare content. Where a tokenizer has such tokens, the text is split at its raw-text added tokens here,
// as the Rust library does (leftmost, then longest match), and only the pieces between them go to the JS library.
import type { AddedTokenJson } from "./documents.js";

export type AddedTokenPiece = { text: string } | { token: string; id: number };

const WHITESPACE = /\p{White_Space}/u;

/** Splits text at added tokens the way the Rust library does for ones matched in raw (unnormalized) text. */
export class AddedTokenSplitter {
  /** Candidates by first UTF-16 unit, longest first. */
  readonly #byFirstUnit = new Map<string, AddedTokenJson[]>();

  constructor(tokens: readonly AddedTokenJson[]) {
    for (const token of tokens) {
      if (token.content.length === 0) continue;
      const first = token.content[0] as string;
      const list = this.#byFirstUnit.get(first) ?? [];
      list.push(token);
      this.#byFirstUnit.set(first, list);
    }
    for (const list of this.#byFirstUnit.values()) list.sort((a, b) => b.content.length - a.content.length);
  }

  /** The splitter for `added`, or undefined when none of its raw-text tokens strips whitespace. */
  static ifStripping(added: readonly AddedTokenJson[] | undefined): AddedTokenSplitter | undefined {
    const raw = (added ?? []).filter((token) => token.normalized !== true);
    return raw.some((token) => token.lstrip || token.rstrip) ? new AddedTokenSplitter(raw) : undefined;
  }

  split(text: string): AddedTokenPiece[] {
    const pieces: AddedTokenPiece[] = [];
    let textStart = 0;
    let at = 0;
    while (at < text.length) {
      const match = this.#matchAt(text, at);
      if (match === undefined) {
        at++;
        continue;
      }
      let start = at;
      let end = at + match.content.length;
      if (match.lstrip) while (start > textStart && isWhitespaceBefore(text, start)) start -= unitsBefore(text, start);
      if (match.rstrip) while (end < text.length && isWhitespaceAt(text, end)) end += unitsAt(text, end);
      if (start > textStart) pieces.push({ text: text.slice(textStart, start) });
      pieces.push({ token: text.slice(start, end), id: match.id });
      textStart = end;
      at = end;
    }
    if (textStart < text.length) pieces.push({ text: text.slice(textStart) });
    return pieces;
  }

  #matchAt(text: string, at: number): AddedTokenJson | undefined {
    const candidates = this.#byFirstUnit.get(text[at] as string);
    return candidates?.find((token) => text.startsWith(token.content, at));
  }
}

function isWhitespaceAt(text: string, index: number): boolean {
  return WHITESPACE.test(String.fromCodePoint(text.codePointAt(index) as number));
}

function unitsAt(text: string, index: number): number {
  return (text.codePointAt(index) as number) > 0xffff ? 2 : 1;
}

/** The code point that ends just before `index` (a surrogate pair counts as one). */
function unitsBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  const high = index >= 2 ? text.charCodeAt(index - 2) : 0;
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
}

function isWhitespaceBefore(text: string, index: number): boolean {
  return isWhitespaceAt(text, index - unitsBefore(text, index));
}
