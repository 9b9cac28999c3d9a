import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedPath } from "@warmstart/test-utils";
import { trainTokenizer } from "@warmstart/tokenizers";

/** Skip reason for the example tests: they run on the tiny parity checkpoints and real text from ../shared. */
export const NEEDS = ["fixtures/parity", "data/lm-text"] as const;

function shared(...parts: string[]): string {
  const path = sharedPath(...parts);
  if (path === undefined) throw new Error(`../shared/${parts.join("/")} is missing`);
  return path;
}

/**
 * Paragraphs of WikiText-2 (validation split) with their first sentence: a stand-in for CNN/DailyMail
 * article/highlight pairs (lead summarisation), read from ../shared, never copied into the repository.
 */
export function articlePairs(count: number): { articles: string[]; highlights: string[] } {
  const text = readFileSync(shared("data", "lm-text", "wikitext-2.valid.txt"), "utf8");
  const paragraphs = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 200 && !line.startsWith("="));
  const articles = paragraphs.slice(0, count);
  // Short "highlights" (at most 8 words), so that targets are padded and -100 labels appear.
  const highlights = articles.map((a) => `${(a.split(" . ")[0] ?? a).split(" ").slice(0, 8).join(" ")} .`);
  return { articles, highlights };
}

/**
 * A checkpoint folder as users get from the Hub: the tiny parity weights of `family` plus a tokenizer trained
 * on WikiText-2 (the fixtures ship no tokenizer). Vocabularies have the fixtures' 1000 rows, so every id
 * the model emits decodes.
 */
export async function checkpointWithTokenizer(family: "bert" | "roberta" | "gpt2"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `docs-${family}-`));
  for (const file of ["config.json", "model.safetensors"]) {
    copyFileSync(shared("fixtures", "parity", family, file), join(dir, file));
  }
  const texts = articlePairs(200).articles;
  if (family === "bert") {
    await trainTokenizer({
      texts,
      kind: "wordpiece",
      vocabSize: 1000,
      lowercase: true,
      modelMaxLength: 64,
      outputDir: dir,
    });
  } else {
    // RoBERTa lays out <s> <pad> </s> <unk> as 0-3, exactly the fixture's special ids.
    await trainTokenizer({ texts, kind: "bpe", vocabSize: 1000, template: family, modelMaxLength: 64, outputDir: dir });
  }
  return dir;
}
