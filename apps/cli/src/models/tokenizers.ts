import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PartSpec } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import { CliError } from "../framework/cli-error.js";
import type { CommandContext } from "../framework/context.js";

/**
 * Where a composed model keeps its tokenizers. transformers saves none with an EncoderDecoderModel; the CLI
 * puts the encoder's beside the weights (so `AutoTokenizer.from_pretrained(dir)` works as usual) and, when
 * the decoder's differs (BERT2GPT2), a second one in this subfolder.
 */
export const DECODER_TOKENIZER_DIR = "decoder_tokenizer";

const hasTokenizer = (dir: string): boolean =>
  ["tokenizer.json", "vocab.txt", "vocab.json"].some((f) => existsSync(join(dir, f)));

/** Copies the parts' tokenizers into a saved composition; returns the folders written. */
export async function saveTokenizers(
  out: string,
  encoder: PartSpec,
  decoder: PartSpec,
  ctx: CommandContext,
): Promise<string[]> {
  const { AutoTokenizer } = await import("@warmstart/tokenizers");
  const written: string[] = [];
  const load = async (spec: PartSpec, role: string): Promise<Tokenizer | null> => {
    if (typeof spec !== "string") return null;
    try {
      return await AutoTokenizer.fromPretrained(spec);
    } catch (error) {
      ctx.warn(`no ${role} tokenizer saved (${(error as Error).message.split("\n")[0]})`);
      return null;
    }
  };
  // A random part has no vocabulary of its own: it takes the other side's tokenizer.
  const encoderTokenizer = await load(encoder ?? decoder, "encoder");
  if (encoderTokenizer !== null) {
    await encoderTokenizer.save(out);
    written.push(out);
  }
  if (typeof decoder === "string" && decoder !== encoder) {
    const decoderTokenizer = await load(decoder, "decoder");
    if (decoderTokenizer !== null) {
      const dir = join(out, DECODER_TOKENIZER_DIR);
      await decoderTokenizer.save(dir);
      written.push(dir);
    }
  }
  return written;
}

/** The source and target tokenizers of a model folder (or overrides from the command line). */
export async function loadTokenizers(
  model: string,
  overrides: { tokenizer?: string | undefined; decoderTokenizer?: string | undefined },
): Promise<{ source: Tokenizer; target: Tokenizer }> {
  const { AutoTokenizer } = await import("@warmstart/tokenizers");
  const sourcePath = overrides.tokenizer ?? model;
  if (overrides.tokenizer === undefined && existsSync(model) && !hasTokenizer(model)) {
    throw new CliError("MISSING_TOKENIZER", `${model}: no tokenizer files (tokenizer.json, vocab.txt or vocab.json)`, {
      hint: "pass --tokenizer <dir|id> (and --decoder-tokenizer when the decoder's vocabulary differs)",
    });
  }
  const source = await AutoTokenizer.fromPretrained(sourcePath);
  let target = source;
  const decoderDir = join(model, DECODER_TOKENIZER_DIR);
  if (overrides.decoderTokenizer !== undefined) target = await AutoTokenizer.fromPretrained(overrides.decoderTokenizer);
  else if (existsSync(decoderDir) && hasTokenizer(decoderDir)) target = await AutoTokenizer.fromPretrained(decoderDir);
  return { source, target };
}

/** Writes a source/target tokenizer pair in the layout `loadTokenizers` reads. */
export async function saveTokenizerPair(
  out: string,
  tokenizers: { source: Tokenizer; target: Tokenizer },
): Promise<void> {
  await tokenizers.source.save(out);
  if (tokenizers.target !== tokenizers.source) await tokenizers.target.save(join(out, DECODER_TOKENIZER_DIR));
}

/**
 * Decoder start / end / pad ids of the warm-starting recipe for a decoder tokenizer: BERT-style vocabularies
 * start with [CLS] and end with [SEP]; GPT-2-style ones (no [CLS]) run bos … eos and pad with eos, as the
 * BERT2GPT2 recipe of the Hugging Face blog does.
 */
export async function decoderSpecialTokens(
  target: Tokenizer,
): Promise<{ decoderStartTokenId?: number; eosTokenId?: number; padTokenId?: number }> {
  const { decoderTokenizer } = await import("@warmstart/tokenizers");
  const pick = (
    start: number | undefined,
    eos: number | undefined,
    pad: number | undefined,
  ): { decoderStartTokenId?: number; eosTokenId?: number; padTokenId?: number } => ({
    ...(start === undefined ? {} : { decoderStartTokenId: start }),
    ...(eos === undefined ? {} : { eosTokenId: eos }),
    ...(pad === undefined ? {} : { padTokenId: pad }),
  });
  if (target.clsTokenId !== undefined && target.sepTokenId !== undefined) {
    return pick(target.clsTokenId, target.sepTokenId, target.padTokenId);
  }
  const prepared = await decoderTokenizer(target);
  return pick(prepared.bosTokenId, prepared.eosTokenId, prepared.padTokenId);
}
