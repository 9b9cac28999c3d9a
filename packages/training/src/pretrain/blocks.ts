import { readFile } from "node:fs/promises";
import type { Tokenizer } from "@warmstart/tokenizers";
import { TrainingError } from "../errors.js";
import { groupTexts } from "../lm/clm.js";

/** Non-blank lines of the text files, in order. */
export async function readTextLines(files: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new TrainingError("INVALID_OPTION", `cannot read text file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const line of text.split("\n")) if (line.trim().length > 0) lines.push(line.trim());
  }
  return lines;
}

/**
 * Tokenises lines without special tokens, concatenates them and cuts blocks, as HF's run_mlm/run_clm
 * `group_texts`. With `wrap` (BERT's [CLS] … [SEP], RoBERTa's <s> … </s>) each block is `blockSize` long
 * including the two tokens.
 */
export async function tokenBlocks(
  lines: readonly string[],
  tokenizer: Tokenizer,
  blockSize: number,
  wrap?: { first: number; last: number },
): Promise<number[][]> {
  const inner = wrap === undefined ? blockSize : blockSize - 2;
  if (inner < 1) {
    throw new TrainingError("INVALID_OPTION", `blockSize ${blockSize} leaves no room between the special tokens`);
  }
  const ids: number[][] = [];
  const chunk = 1000;
  for (let i = 0; i < lines.length; i += chunk) {
    const encoded = await tokenizer.batchEncode(lines.slice(i, i + chunk), { addSpecialTokens: false });
    ids.push(...encoded.inputIds);
  }
  const blocks = groupTexts(ids, inner);
  return wrap === undefined ? blocks : blocks.map((b) => [wrap.first, ...b, wrap.last]);
}
