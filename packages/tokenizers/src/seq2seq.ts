// Encoder-decoder training batches as the Hugging Face warm-starting recipe prepares them
// (blog "Leveraging Pre-trained Language Model Checkpoints for Encoder-Decoder Models",
// CNN/DailyMail `process_data_to_model_inputs`, and its BERT2GPT2 variant).
import { IGNORE_INDEX, shiftTokensRight } from "@warmstart/core";
import { TokenizerError } from "./errors.js";
import type { Padding, Tokenizer } from "./tokenizer.js";

export interface Seq2SeqBatchOptions {
  /** Tokenizer of the encoder (BERT, RoBERTa). */
  sourceTokenizer: Tokenizer;
  /** Tokenizer of the decoder; defaults to `sourceTokenizer` (BERT2BERT). GPT-2 is adapted, see below. */
  targetTokenizer?: Tokenizer;
  /**
   * Default: the source tokenizer's `model_max_length`, as Hugging Face tokenizers truncate (the blog sets 512 for
   * CNN/DailyMail explicitly). A tokenizer without one needs it passed.
   */
  maxSourceLength?: number;
  /** Default: the target tokenizer's `model_max_length` (the blog sets 128 explicitly). */
  maxTargetLength?: number;
  /** Default "max_length", as the blog; "longest" gives shorter batches with the same values. */
  padding?: Exclude<Padding, false>;
  /**
   * First decoder input (`decoder_start_token_id`). Default: the target tokenizer's cls token (BERT:
   * `[CLS]`, RoBERTa: `<s>`), else its bos token (GPT-2), as the warm-starting recipe sets it.
   */
  decoderStartTokenId?: number;
}

export interface Seq2SeqBatch {
  inputIds: number[][];
  attentionMask: number[][];
  /** `labels` shifted one position right behind `decoderStartTokenId`, padding as the pad id. */
  decoderInputIds: number[][];
  /** The mask of `decoderInputIds`: the start token, then the target mask shifted with it. */
  decoderAttentionMask: number[][];
  /** The target ids with every padded position (decoder attention mask 0) set to -100. */
  labels: number[][];
  truncatedSources: number;
  truncatedTargets: number;
}

/** @deprecated The label of padded positions is `IGNORE_INDEX` of @warmstart/core; this is the same value. */
export const LABEL_PAD_ID = IGNORE_INDEX;

const decoderTokenizers = new WeakMap<Tokenizer, Promise<Tokenizer>>();

/**
 * The tokenizer used for targets. A tokenizer whose template adds nothing (GPT-2) gets the blog's
 * BERT2GPT2 treatment: targets end with eos, decoder inputs start with bos (the decoder start token, which
 * `prepareSeq2SeqBatch` puts in front when it shifts the labels), and eos is the pad token for batching;
 * labels still come out -100 on padding because they are masked by the attention mask, not by pad id.
 * The bos is not part of the labels: GPT-2's bos is also its eos, and a label sequence starting with it
 * would teach the decoder to end every output at its first step.
 */
export function decoderTokenizer(target: Tokenizer): Promise<Tokenizer> {
  let prepared = decoderTokenizers.get(target);
  if (prepared === undefined) {
    prepared = (async () => {
      let out = target;
      if ((await target.numSpecialTokensToAdd(false)) === 0) {
        const { bosToken, eosToken } = target.specialTokens;
        if (bosToken === undefined || eosToken === undefined) {
          throw new TokenizerError(
            "MISSING_SPECIAL_TOKEN",
            "the target tokenizer adds no special tokens and lacks a bos or eos token to start and end targets with",
          );
        }
        out = out.withTemplate(`$A ${eosToken}`);
      }
      if (out.padTokenId === undefined) {
        const { eosToken } = out.specialTokens;
        if (eosToken === undefined) {
          throw new TokenizerError(
            "NO_PAD_TOKEN",
            "the target tokenizer has neither a pad token nor an eos token to pad with",
          );
        }
        out = out.withSpecialTokens({ padToken: eosToken });
      }
      return out;
    })();
    decoderTokenizers.set(target, prepared);
    prepared.catch(() => decoderTokenizers.delete(target));
  }
  return prepared;
}

/**
 * The length one side of a batch is truncated (and "max_length"-padded) to: `requested`, else the tokenizer's
 * `model_max_length`, so that a model with fewer positions than a fixed default still gets valid batches.
 */
function lengthLimit(
  tokenizer: Tokenizer,
  requested: number | undefined,
  option: string,
  side: string,
): number | undefined {
  if (requested !== undefined) return requested;
  if (Number.isFinite(tokenizer.modelMaxLength)) return tokenizer.modelMaxLength;
  throw new TokenizerError(
    "MAX_LENGTH_REQUIRED",
    `prepareSeq2SeqBatch: the ${side} tokenizer has no model_max_length, so ${option} has no default: pass ${option}`,
  );
}

/**
 * `inputIds`/`attentionMask` from the sources; `labels` = target ids with -100 wherever the target is
 * padding; `decoderInputIds` = those labels shifted right behind the decoder start token, exactly what
 * `EncoderDecoderModel.forward({ labels })` derives itself — so passing them explicitly or not trains
 * the same model (an unshifted copy would teach the decoder to copy its input). Both sides are truncated
 * to their maximum length and padded as `padding` says.
 */
export async function prepareSeq2SeqBatch(
  sources: readonly string[],
  targets: readonly string[],
  options: Seq2SeqBatchOptions,
): Promise<Seq2SeqBatch> {
  if (!Array.isArray(sources) || !Array.isArray(targets)) {
    throw new TokenizerError("NOT_A_STRING", "prepareSeq2SeqBatch expects two arrays of strings (sources, targets)");
  }
  if (sources.length !== targets.length) {
    throw new TokenizerError(
      "BATCH_MISMATCH",
      `${sources.length} sources but ${targets.length} targets: each source needs one target`,
    );
  }
  const padding = options.padding ?? "max_length";
  if (padding !== "max_length" && padding !== "longest") {
    throw new TokenizerError(
      "INVALID_OPTION",
      `padding must be "max_length" or "longest", got ${JSON.stringify(padding)}`,
    );
  }
  const source = options.sourceTokenizer;
  const target = await decoderTokenizer(options.targetTokenizer ?? source);
  const [inputs, outputs] = await Promise.all([
    source.batchEncode(sources, {
      padding,
      truncation: true,
      maxLength: lengthLimit(source, options.maxSourceLength, "maxSourceLength", "source"),
    }),
    target.batchEncode(targets, {
      padding,
      truncation: true,
      maxLength: lengthLimit(target, options.maxTargetLength, "maxTargetLength", "target"),
    }),
  ]);
  const labels = outputs.inputIds.map((row, r) => {
    const mask = outputs.attentionMask[r] as number[];
    return row.map((id, c) => (mask[c] === 0 ? IGNORE_INDEX : id));
  });
  const startId = options.decoderStartTokenId ?? target.clsTokenId ?? target.bosTokenId;
  if (startId === undefined) {
    throw new TokenizerError(
      "MISSING_SPECIAL_TOKEN",
      "the target tokenizer has no cls or bos token to start decoder inputs with: pass decoderStartTokenId",
    );
  }
  return {
    inputIds: inputs.inputIds,
    attentionMask: inputs.attentionMask,
    decoderInputIds: shiftTokensRight(labels, target.padTokenId as number, startId),
    decoderAttentionMask: outputs.attentionMask.map((row) => (row.length === 0 ? [] : [1, ...row.slice(0, -1)])),
    labels,
    truncatedSources: inputs.truncated,
    truncatedTargets: outputs.truncated,
  };
}
