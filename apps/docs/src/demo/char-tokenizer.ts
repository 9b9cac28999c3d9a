// The demo's tokenizer: one id per character. @warmstart/tokenizers wraps Hugging Face's native (Rust)
// bindings, which cannot run in a browser, so the in-browser demo uses a vocabulary small enough to ship.
import type { TextTokenizer } from "@warmstart/composer";

/** Special tokens first, as BERT lays them out: pad, unknown, start ([CLS]) and end ([SEP]). */
export const SPECIAL = { pad: "[PAD]", unk: "[UNK]", cls: "[CLS]", sep: "[SEP]" } as const;
const CHARACTERS = " abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"-()";

/** The demo vocabulary, id = index. */
export function demoVocabulary(): string[] {
  return [SPECIAL.pad, SPECIAL.unk, SPECIAL.cls, SPECIAL.sep, ...CHARACTERS];
}

export class CharTokenizer implements TextTokenizer {
  readonly vocab: readonly string[];
  readonly #ids: Map<string, number>;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;

  constructor(vocab: readonly string[]) {
    this.vocab = vocab;
    this.#ids = new Map(vocab.map((token, id) => [token, id]));
    const id = (token: string): number => {
      const found = this.#ids.get(token);
      if (found === undefined) throw new Error(`demo vocabulary lacks the special token ${token}`);
      return found;
    };
    this.padTokenId = id(SPECIAL.pad);
    this.unkTokenId = id(SPECIAL.unk);
    this.clsTokenId = id(SPECIAL.cls);
    this.sepTokenId = id(SPECIAL.sep);
  }

  /** [CLS] c₁ … cₙ [SEP]; text is lower-cased because the vocabulary is. */
  encode(text: string, maxLength: number): number[] {
    const chars = [...text.toLowerCase()].slice(0, Math.max(0, maxLength - 2));
    return [this.clsTokenId, ...chars.map((c) => this.#ids.get(c) ?? this.unkTokenId), this.sepTokenId];
  }

  async batchEncode(
    texts: readonly string[],
    options: { padding?: "longest"; truncation?: boolean; maxLength?: number },
  ): Promise<{ inputIds: number[][]; attentionMask: number[][] }> {
    const rows = texts.map((t) => this.encode(t, options.maxLength ?? Number.POSITIVE_INFINITY));
    const width = Math.max(...rows.map((r) => r.length));
    return {
      inputIds: rows.map((r) => [...r, ...Array<number>(width - r.length).fill(this.padTokenId)]),
      attentionMask: rows.map((r) => [...Array<number>(r.length).fill(1), ...Array<number>(width - r.length).fill(0)]),
    };
  }

  async batchDecode(rows: readonly (readonly number[])[], options: { skipSpecialTokens?: boolean }): Promise<string[]> {
    const special = new Set([this.padTokenId, this.unkTokenId, this.clsTokenId, this.sepTokenId]);
    return rows.map((row) =>
      row
        .filter((id) => !(options.skipSpecialTokens === true && special.has(id)))
        .map((id) => this.vocab[id] ?? SPECIAL.unk)
        .join(""),
    );
  }
}
