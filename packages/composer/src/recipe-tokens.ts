import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SpecialTokens } from "./encoder-decoder-config.js";

type TokenIds = Partial<Record<keyof SpecialTokens, number>>;

function vocabularyOf(dir: string): Map<string, number> | null {
  const tokenizerJson = join(dir, "tokenizer.json");
  if (existsSync(tokenizerJson)) {
    const json = JSON.parse(readFileSync(tokenizerJson, "utf8")) as {
      added_tokens?: { id: number; content: string }[];
      model?: { vocab?: Record<string, number> | unknown[] };
    };
    const vocab = new Map<string, number>();
    const modelVocab = json.model?.vocab;
    if (modelVocab !== undefined && !Array.isArray(modelVocab)) {
      for (const [token, id] of Object.entries(modelVocab)) vocab.set(token, id);
    }
    for (const added of json.added_tokens ?? []) vocab.set(added.content, added.id);
    return vocab;
  }
  const vocabTxt = join(dir, "vocab.txt");
  if (existsSync(vocabTxt)) {
    const lines = readFileSync(vocabTxt, "utf8").split(/\r?\n/);
    return new Map(lines.map((token, id) => [token, id]));
  }
  return null;
}

/**
 * The special tokens of Hugging Face's BERT2BERT recipe, read from a BERT checkpoint's tokenizer files
 * (tokenizer.json or vocab.txt): decoder start = [CLS], eos = [SEP], pad = [PAD]. BERT's config.json has no
 * bos / eos, so without tokenizer files these stay unset and must be given.
 */
export function bertRecipeTokens(dir: string): TokenIds {
  const vocab = vocabularyOf(dir);
  if (vocab === null) return {};
  const out: TokenIds = {};
  const pick = (field: keyof SpecialTokens, token: string): void => {
    const id = vocab.get(token);
    if (id !== undefined) out[field] = id;
  };
  pick("decoderStartTokenId", "[CLS]");
  pick("eosTokenId", "[SEP]");
  pick("padTokenId", "[PAD]");
  return out;
}
