import { tf } from "@warmstart/tensors";
import {
  cachedLength,
  type CrossAttentionInput,
  type IdInput,
  type KeyValueCache,
  ModelInputError,
  paddingMask,
  readMask,
} from "@warmstart/modeling";

export interface DecoderInput {
  /** `[batch, length]` ids of the new positions (only the new tokens when `pastKeyValues` is given). */
  inputIds: IdInput;
  /** `[batch, past + length]`, 1 = token, 0 = padding, covering the cached positions too; default all ones. */
  attentionMask?: IdInput;
  /** `[batch, sourceLength, hidden]` encoder output, for models with cross-attention. */
  encoderHiddenStates?: tf.Tensor3D;
  /** `[batch, sourceLength]` encoder padding mask; default all ones. */
  encoderAttentionMask?: IdInput;
  /** The cache a previous forward returned with `useCache`. */
  pastKeyValues?: KeyValueCache;
  /** Return the cache for the next step. */
  useCache?: boolean;
  /** Position of the first new token; default the cached length. */
  positionOffset?: number;
}

export interface DecoderOutput {
  /** `[batch, length, vocab]` next-token logits for every new position. */
  logits: tf.Tensor3D;
  pastKeyValues?: KeyValueCache;
}

export interface DecoderSteps {
  past: number;
  offset: number;
  /** 0/1 `[batch, past + length]` mask, or undefined when every key is attended. */
  mask?: tf.Tensor2D;
  cross?: CrossAttentionInput;
}

/** Checks cache, masks and encoder states of one decoder forward. Call inside a tidy. */
export function prepareDecoderStep(
  input: DecoderInput,
  batch: number,
  length: number,
  layers: number,
  hiddenSize: number,
  hasCrossAttention: boolean,
): DecoderSteps {
  const past = cachedLength(input.pastKeyValues, layers, batch);
  const offset = input.positionOffset ?? past;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ModelInputError("INVALID_INPUT", `positionOffset must be a non-negative integer, got ${offset}`);
  }
  const mask =
    input.attentionMask === undefined
      ? undefined
      : readMask(
          input.attentionMask,
          batch,
          past + length,
          "attentionMask",
          past > 0 ? `${past} cached + ${length} new positions` : "the shape of inputIds",
        );
  const states = input.encoderHiddenStates;
  const cachedCross = input.pastKeyValues?.[0]?.crossKey !== undefined;
  if (states === undefined && !cachedCross) return { past, offset, mask };
  if (!hasCrossAttention) {
    throw new ModelInputError(
      "INVALID_INPUT",
      "encoderHiddenStates were given but the model has no cross-attention (set add_cross_attention)",
    );
  }
  let sourceLength: number;
  let states2d: tf.Tensor2D | undefined;
  if (states !== undefined) {
    if (states.rank !== 3 || states.shape[0] !== batch || states.shape[2] !== hiddenSize) {
      throw new ModelInputError(
        "SHAPE_MISMATCH",
        `encoderHiddenStates must be [${batch}, sourceLength, ${hiddenSize}], got [${states.shape}]`,
      );
    }
    sourceLength = states.shape[1];
    states2d = tf.reshape(states, [batch * sourceLength, hiddenSize]);
  } else {
    sourceLength = (input.pastKeyValues?.[0]?.crossKey as tf.Tensor4D).shape[2];
  }
  const crossMask =
    input.encoderAttentionMask === undefined
      ? undefined
      : paddingMask(
          readMask(
            input.encoderAttentionMask,
            batch,
            sourceLength,
            "encoderAttentionMask",
            "[batch, sourceLength] of encoderHiddenStates",
          ),
        );
  return { past, offset, mask, cross: { states: states2d, length: sourceLength, mask: crossMask } };
}
