import type { BaseStreamer, EncoderDecoderModel, GenerationConfig } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import type { CommandContext } from "../framework/context.js";

/**
 * Generates for every input in batches, with a progress bar; one output per input, in order. A `streamer` gets the
 * tokens as they are made (one input, greedy search or sampling).
 */
export async function generateAll(
  ctx: CommandContext,
  model: EncoderDecoderModel,
  tokenizers: { source: Tokenizer; target: Tokenizer },
  inputs: readonly string[],
  config: Partial<GenerationConfig>,
  batchSize: number,
  maxInputLength?: number,
  streamer?: BaseStreamer,
): Promise<string[]> {
  const { generateText } = await import("@warmstart/composer");
  const bar = ctx.progress("generate", inputs.length);
  const out: string[] = [];
  for (let i = 0; i < inputs.length; i += batchSize) {
    const chunk = inputs.slice(i, i + batchSize);
    const texts = await generateText(model, chunk, {
      ...config,
      sourceTokenizer: tokenizers.source,
      targetTokenizer: tokenizers.target,
      ...(maxInputLength === undefined ? {} : { maxInputLength }),
      ...(streamer === undefined ? {} : { streamer }),
    });
    const perInput = Math.max(1, config.numReturnSequences ?? 1);
    // Several returned sequences per input: keep the best (the first), one line out per line in.
    for (let j = 0; j < chunk.length; j++) out.push(texts[j * perInput] ?? "");
    bar.tick(chunk.length);
  }
  bar.finish();
  return out;
}

/** Loads a composed model (folder or Hub id) with its tokenizers, on an initialised backend. */
export async function loadComposed(
  ctx: CommandContext,
  modelPath: string,
  overrides: { tokenizer?: string | undefined; decoderTokenizer?: string | undefined },
): Promise<{ model: EncoderDecoderModel; tokenizers: { source: Tokenizer; target: Tokenizer } }> {
  const { initBackend } = await import("@warmstart/tensors");
  const { EncoderDecoderModel } = await import("@warmstart/composer");
  const { loadTokenizers } = await import("./tokenizers.js");
  const { locateConfig, modelTypeOf } = await import("./locate.js");
  const type = modelTypeOf(await locateConfig(modelPath));
  if (type !== "encoder-decoder") {
    const { CliError } = await import("../framework/cli-error.js");
    throw new CliError("UNKNOWN_MODEL", `${modelPath} is a ${type} checkpoint, not an encoder-decoder`, {
      hint: `compose one first: warmstart compose ${modelPath} ${modelPath} --out DIR, then train it`,
    });
  }
  const backend = await initBackend();
  ctx.debug(`backend: ${backend.backend}`);
  const tokenizers = await loadTokenizers(modelPath, overrides);
  ctx.log(`loading ${modelPath}`);
  const model = await EncoderDecoderModel.fromPretrained(modelPath);
  model.eval();
  return { model, tokenizers };
}
