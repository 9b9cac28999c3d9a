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
  const { generateTextWithOutput, DEFAULT_MAX_NEW_TOKENS } = await import("@warmstart/composer");
  const bar = ctx.progress("generate", inputs.length);
  const out: string[] = [];
  const limit = defaultLengthLimit(model, config);
  let cut = 0;
  for (let i = 0; i < inputs.length; i += batchSize) {
    const chunk = inputs.slice(i, i + batchSize);
    const { texts, output } = await generateTextWithOutput(model, chunk, {
      ...config,
      sourceTokenizer: tokenizers.source,
      targetTokenizer: tokenizers.target,
      ...(maxInputLength === undefined ? {} : { maxInputLength }),
      ...(streamer === undefined ? {} : { streamer }),
    });
    const perInput = Math.max(1, config.numReturnSequences ?? 1);
    // Several returned sequences per input: keep the best (the first), one line out per line in.
    for (let j = 0; j < chunk.length; j++) {
      out.push(texts[j * perInput] ?? "");
      const kept = output?.sequences[j * perInput];
      if (limit !== null && kept !== undefined && !kept.slice(1).some((id) => limit.eos.includes(id))) cut++;
    }
    bar.tick(chunk.length);
  }
  bar.finish();
  if (limit !== null && cut > 0) {
    // transformers warns that its model-agnostic default max_length is in use; here only when it did cut an output.
    ctx.warn(
      `${cut} of ${inputs.length} output${inputs.length === 1 ? "" : "s"} stopped at the default length limit ` +
        `(${DEFAULT_MAX_NEW_TOKENS} new tokens, transformers' default: neither the command line nor the model's ` +
        "generation_config.json sets a length) " +
        "before an end-of-sequence token: pass --max-new-tokens N (or --max-length N) for longer outputs",
    );
  }
  return out;
}

/**
 * The end-of-sequence ids to look for when neither the flags nor the checkpoint set a length (`max_length`,
 * `max_new_tokens`), so that generation stops at transformers' model-agnostic default; null when a length was set
 * (the user asked for that limit) or the model has no eos id (every output runs to the limit by design).
 */
function defaultLengthLimit(model: EncoderDecoderModel, config: Partial<GenerationConfig>): { eos: number[] } | null {
  if (config.maxLength !== undefined || config.maxNewTokens !== undefined) return null;
  const stored = model.generationConfigJSON();
  const isSet = (key: string): boolean => stored[key] !== undefined && stored[key] !== null;
  if (isSet("max_length") || isSet("max_new_tokens")) return null;
  const eos = config.eosTokenId ?? (stored.eos_token_id as number | number[] | null | undefined);
  if (eos === undefined || eos === null) return null;
  return { eos: Array.isArray(eos) ? eos : [eos] };
}

/** Loads a composed model (folder or Hub id) with its tokenizers, on an initialised backend. */
export async function loadComposed(
  ctx: CommandContext,
  modelPath: string,
  overrides: { tokenizer?: string | undefined; decoderTokenizer?: string | undefined },
): Promise<{ model: EncoderDecoderModel; tokenizers: { source: Tokenizer; target: Tokenizer } }> {
  const { startBackend } = await import("./backend.js");
  const { EncoderDecoderModel } = await import("@warmstart/composer");
  const { loadTokenizers } = await import("./tokenizers.js");
  const { ENCODER_DECODER, locateConfig, modelTypeOf } = await import("./locate.js");
  const type = await modelTypeOf(await locateConfig(modelPath));
  if (type !== ENCODER_DECODER) {
    const { CliError } = await import("../framework/cli-error.js");
    throw new CliError("UNKNOWN_MODEL", `${modelPath} is a ${type} checkpoint, not an encoder-decoder`, {
      hint: `compose one first: warmstart compose ${modelPath} ${modelPath} --out DIR, then train it`,
    });
  }
  await startBackend(ctx);
  const tokenizers = await loadTokenizers(modelPath, overrides);
  ctx.log(`loading ${modelPath}`);
  const model = await EncoderDecoderModel.fromPretrained(modelPath);
  model.eval();
  return { model, tokenizers };
}
