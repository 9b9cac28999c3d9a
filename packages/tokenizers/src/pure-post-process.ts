// tokenizer.json post-processors (the special-token templates) with the Rust library's ids and token types, for the
// pure-JS tokenizer. @huggingface/tokenizers 0.2.0 has its own, but it drops the second text of a pair under the
// ByteLevel processor (GPT-2), gives RoBERTa's second segment token type 1 where Rust gives 0, and can only be
// applied to a whole text, not to an encoding already cut by truncation; so the templates are applied here.
import type { JsonObject } from "./documents.js";
import { TokenizerError } from "./errors.js";

/** Tokens with their ids, before or after the template. */
export interface TokenRun {
  ids: number[];
  tokens: string[];
}

export interface ProcessedRun extends TokenRun {
  typeIds: number[];
}

/** Applies the template to one encoded text or a pair; without special tokens only the token types change. */
export type PostProcess = (first: TokenRun, second: TokenRun | undefined, addSpecialTokens: boolean) => ProcessedRun;

function append(out: ProcessedRun, run: TokenRun, typeId: number): void {
  out.ids.push(...run.ids);
  out.tokens.push(...run.tokens);
  for (let i = 0; i < run.ids.length; i++) out.typeIds.push(typeId);
}

function empty(): ProcessedRun {
  return { ids: [], tokens: [], typeIds: [] };
}

/** No template: the texts one after the other, the second with token type 1. */
const concatenate: PostProcess = (first, second) => {
  const out = empty();
  append(out, first, 0);
  if (second !== undefined) append(out, second, 1);
  return out;
};

/** A `[token, id]` pair as BertProcessing and RobertaProcessing store `cls` and `sep`. */
function tokenPair(value: unknown, field: string, source: string): TokenRun {
  if (!Array.isArray(value) || typeof value[0] !== "string" || !Number.isInteger(value[1])) {
    throw new TokenizerError("INVALID_FILE", `${source}: post_processor.${field} must be a [token, id] pair`);
  }
  return { tokens: [value[0]], ids: [value[1] as number] };
}

function bertProcessing(config: JsonObject, source: string): PostProcess {
  const cls = tokenPair(config.cls, "cls", source);
  const sep = tokenPair(config.sep, "sep", source);
  return (first, second, addSpecialTokens) => {
    if (!addSpecialTokens) return concatenate(first, second, false);
    const out = empty();
    append(out, cls, 0);
    append(out, first, 0);
    append(out, sep, 0);
    if (second !== undefined) {
      append(out, second, 1);
      append(out, sep, 1);
    }
    return out;
  };
}

/** `<s> A </s>` / `<s> A </s></s> B </s>`; every token type is 0, with or without the special tokens. */
function robertaProcessing(config: JsonObject, source: string): PostProcess {
  const cls = tokenPair(config.cls, "cls", source);
  const sep = tokenPair(config.sep, "sep", source);
  return (first, second, addSpecialTokens) => {
    const runs: TokenRun[] = addSpecialTokens ? [cls, first, sep] : [first];
    if (second !== undefined) runs.push(...(addSpecialTokens ? [sep, second, sep] : [second]));
    const out = empty();
    for (const run of runs) append(out, run, 0);
    return out;
  };
}

interface TemplatePiece {
  sequence?: "A" | "B";
  special?: TokenRun;
  typeId: number;
}

function templatePieces(value: unknown, specials: JsonObject, field: string, source: string): TemplatePiece[] {
  if (!Array.isArray(value)) {
    throw new TokenizerError("INVALID_FILE", `${source}: post_processor.${field} must be an array of pieces`);
  }
  return value.map((piece: unknown, index) => {
    const where = `${source}: post_processor.${field}[${index}]`;
    const sequence = (piece as { Sequence?: { id?: unknown; type_id?: unknown } } | null)?.Sequence;
    if (sequence !== undefined) {
      if (sequence.id !== "A" && sequence.id !== "B") {
        throw new TokenizerError("INVALID_FILE", `${where}: Sequence id must be "A" or "B"`);
      }
      return { sequence: sequence.id, typeId: Number(sequence.type_id ?? 0) };
    }
    const special = (piece as { SpecialToken?: { id?: unknown; type_id?: unknown } } | null)?.SpecialToken;
    if (special === undefined || typeof special.id !== "string") {
      throw new TokenizerError("INVALID_FILE", `${where}: expected a Sequence or a SpecialToken`);
    }
    const entry = specials[special.id] as { ids?: unknown; tokens?: unknown } | undefined;
    if (
      !Array.isArray(entry?.ids) ||
      !Array.isArray(entry.tokens) ||
      entry.ids.length !== entry.tokens.length ||
      !entry.ids.every((id) => Number.isInteger(id))
    ) {
      throw new TokenizerError(
        "INVALID_FILE",
        `${where}: special token "${special.id}" needs an entry in special_tokens with matching ids and tokens`,
      );
    }
    return {
      special: { ids: entry.ids as number[], tokens: entry.tokens as string[] },
      typeId: Number(special.type_id ?? 0),
    };
  });
}

/** Hugging Face's TemplateProcessing: the pieces of `single` or `pair`, each with its own token type. */
function templateProcessing(config: JsonObject, source: string): PostProcess {
  const specials = (config.special_tokens ?? {}) as JsonObject;
  const single = templatePieces(config.single, specials, "single", source);
  const pair = templatePieces(config.pair, specials, "pair", source);
  return (first, second, addSpecialTokens) => {
    const out = empty();
    for (const piece of second === undefined ? single : pair) {
      if (piece.special !== undefined) {
        if (addSpecialTokens) append(out, piece.special, piece.typeId);
      } else if (piece.sequence === "A") {
        append(out, first, piece.typeId);
      } else if (second !== undefined) {
        append(out, second, piece.typeId);
      }
    }
    return out;
  };
}

/** The post-processor `config` (tokenizer.json's `post_processor`) describes. */
export function postProcessorFor(config: JsonObject | null | undefined, source: string): PostProcess {
  if (config === null || config === undefined) return concatenate;
  switch (config.type) {
    // Only offsets change under ByteLevel, and this tokenizer reports none.
    case "ByteLevel":
      return concatenate;
    case "BertProcessing":
      return bertProcessing(config, source);
    case "RobertaProcessing":
      return robertaProcessing(config, source);
    case "TemplateProcessing":
      return templateProcessing(config, source);
    case "Sequence": {
      // A template after ByteLevel steps (Llama 3, ...) is that template; two templates in a row are not supported.
      const steps = Array.isArray(config.processors) ? (config.processors as JsonObject[]) : [];
      const templates = steps.filter((step) => step.type !== "ByteLevel");
      if (templates.length > 1) {
        throw new TokenizerError(
          "INVALID_FILE",
          `${source}: a Sequence post-processor with more than one template is not supported by the pure-JS tokenizer`,
        );
      }
      return postProcessorFor(templates[0], source);
    }
    default:
      throw new TokenizerError(
        "INVALID_FILE",
        `${source}: post_processor type ${JSON.stringify(config.type)} is not supported by the pure-JS tokenizer (expected ByteLevel, BertProcessing, RobertaProcessing, TemplateProcessing or Sequence)`,
      );
  }
}
