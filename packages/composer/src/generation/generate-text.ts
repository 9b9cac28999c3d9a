import type { GenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";
import type { GenerateOptions, GenerateOutput } from "./generate.js";
import type { GenerationInputs } from "./model-interface.js";

/**
 * The part of a tokenizer that text generation needs; `Tokenizer` from `@warmstart/tokenizers` fits it as is.
 * Kept structural so that this package does not depend on the tokenizer's native bindings.
 */
export interface TextTokenizer {
  batchEncode(
    texts: readonly string[],
    options: { padding?: "longest"; truncation?: boolean; maxLength?: number },
  ): Promise<{ inputIds: number[][]; attentionMask: number[][] }>;
  batchDecode(rows: readonly (readonly number[])[], options: { skipSpecialTokens?: boolean }): Promise<string[]>;
}

/** Anything with `generate(inputs, config)`, such as `EncoderDecoderModel` (whose checkpoint defaults apply). */
export interface TextGenerator {
  generate(
    inputs: GenerationInputs,
    config?: Partial<GenerationConfig>,
    options?: GenerateOptions,
  ): Promise<GenerateOutput>;
}

/** Options of `generateText`: tokenizer(s) plus any generation setting. */
export interface GenerateTextOptions extends Partial<GenerationConfig> {
  /** One tokenizer for both sides (BERT2BERT, RoBERTa-shared). */
  tokenizer?: TextTokenizer;
  /** Encoder-side tokenizer when the two sides differ (e.g. BERT2GPT-2). */
  sourceTokenizer?: TextTokenizer;
  /** Decoder-side tokenizer when the two sides differ. */
  targetTokenizer?: TextTokenizer;
  /** Truncate source texts to this many tokens (default: the tokenizer's model maximum). */
  maxInputLength?: number;
  /** Passed to `generate` (e.g. a `TextStreamer` on the target tokenizer): one text, greedy search or sampling. */
  streamer?: GenerateOptions["streamer"];
}

/**
 * Text in, text out: encodes `texts` (padded to the longest, truncated), generates, and decodes every returned
 * sequence with `skipSpecialTokens`. Returns `texts.length * numReturnSequences` strings, those of text 0 first.
 */
export async function generateText(
  model: TextGenerator,
  texts: readonly string[],
  options: GenerateTextOptions,
): Promise<string[]> {
  return (await generateTextWithOutput(model, texts, options)).texts;
}

/**
 * `generateText`, also returning what `generate` returned (the token ids of every sequence, scores), for callers
 * that look at the sequences themselves, e.g. to tell which outputs stopped at the length limit rather than at eos.
 */
export async function generateTextWithOutput(
  model: TextGenerator,
  texts: readonly string[],
  options: GenerateTextOptions,
): Promise<{ texts: string[]; output: GenerateOutput | null }> {
  const { tokenizer, sourceTokenizer, targetTokenizer, maxInputLength, streamer, ...config } = options;
  const source = sourceTokenizer ?? tokenizer;
  const target = targetTokenizer ?? tokenizer;
  if (source === undefined || target === undefined) {
    throw new GenerationError(
      "INVALID_INPUTS",
      "generateText needs `tokenizer`, or both `sourceTokenizer` and `targetTokenizer`",
      "tokenizer",
    );
  }
  if (texts.length === 0) return { texts: [], output: null };
  const encoded = await source.batchEncode(texts, {
    padding: "longest",
    truncation: true,
    ...(maxInputLength !== undefined ? { maxLength: maxInputLength } : {}),
  });
  const out = await model.generate(
    { inputIds: encoded.inputIds, attentionMask: encoded.attentionMask },
    config,
    streamer !== undefined ? { streamer } : {},
  );
  return { texts: await target.batchDecode(out.sequences, { skipSpecialTokens: true }), output: out };
}
