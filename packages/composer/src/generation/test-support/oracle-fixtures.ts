// What the generation tests against real transformers (*.interop.ts) share: a tiny BERT2BERT saved to a folder
// both sides load, its inputs, and the mapping of transformers' keyword arguments to the project's settings.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncoderDecoderModel } from "../../encoder-decoder-model.js";
import type { GenerationConfig } from "../configuration.js";

/**
 * A one-layer BERT. Wide initial weights make the next-token distributions peaked, so that float32 rounding
 * differences between TensorFlow.js and PyTorch cannot reorder near-ties.
 */
export const TINY_BERT = {
  model_type: "bert",
  vocab_size: 24,
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 64,
  pad_token_id: 0,
  initializer_range: 0.5,
};
export const TINY_TOKENS = { decoderStartTokenId: 2, eosTokenId: 5, padTokenId: 0 };

/** One source, and two with the second right-padded. */
export const ONE_INPUT = { input_ids: [[5, 6, 7, 8, 9, 10]] };
export const TWO_INPUTS = {
  input_ids: [
    [5, 6, 7, 8, 9, 10],
    [11, 12, 13, 9, 0, 0],
  ],
  attention_mask: [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0],
  ],
};

/** Warm-starts BERT2BERT from two random `config` BERTs (seeded), saves it into a new temporary folder and returns it. */
export async function saveTinyBert2Bert(
  prefix: string,
  options: { config?: Record<string, unknown>; tokens?: Partial<typeof TINY_TOKENS>; seed: number },
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = options.config ?? TINY_BERT;
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(config, config, {
    ...TINY_TOKENS,
    ...options.tokens,
    seed: options.seed,
  });
  try {
    await model.savePretrained(dir);
  } finally {
    model.dispose();
  }
  return dir;
}

/** transformers' generate() keyword arguments (snake_case) as the project's settings (camelCase). */
export function camelCase(kwargs: Record<string, unknown>): Partial<GenerationConfig> {
  return Object.fromEntries(
    Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}
