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
  /**
   * `[batch, sourceLength, hidden]` encoder output, for models with cross-attention. It may also have fewer rows,
   * `batch / R` for a whole R: then decoder rows `i·R .. i·R + R - 1` all attend encoder row `i` (the beams or
   * samples of one input), and its cross-attention keys/values are computed and cached once per encoder row.
   */
  encoderHiddenStates?: tf.Tensor3D;
  /**
   * `[encoder rows, sourceLength]` encoder padding mask, one row per row of `encoderHiddenStates` (or of the cached
   * cross-attention keys when `pastKeyValues` holds them); default all ones.
   */
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
  let states2d: tf.Tensor2D | undefined;
  if (states !== undefined) {
    const rows = states.shape[0];
    if (states.rank !== 3 || states.shape[2] !== hiddenSize || rows === 0 || batch % rows !== 0) {
      throw new ModelInputError(
        "SHAPE_MISMATCH",
        `encoderHiddenStates must be [${batch} (or a divisor of it), sourceLength, ${hiddenSize}], got [${states.shape}]`,
      );
    }
    states2d = tf.reshape(states, [rows * states.shape[1], hiddenSize]);
  }
  // Cached cross keys/values are what the layers attend (the states are not projected again), so their rows —
  // one per encoder row, or one per decoder row once a reorder moved rows across inputs — decide the sharing.
  const cachedKey = input.pastKeyValues?.[0]?.crossKey;
  const [encoderRows, sourceLength] =
    cachedKey !== undefined
      ? [cachedKey.shape[0], cachedKey.shape[2]]
      : [(states as tf.Tensor3D).shape[0], (states as tf.Tensor3D).shape[1]];
  if (batch % encoderRows !== 0) {
    throw new ModelInputError(
      "SHAPE_MISMATCH",
      `pastKeyValues holds cross-attention keys of ${encoderRows} encoder rows, which does not divide batch ${batch}`,
    );
  }
  const crossMask =
    input.encoderAttentionMask === undefined
      ? undefined
      : paddingMask(
          readMask(
            input.encoderAttentionMask,
            encoderRows,
            sourceLength,
            "encoderAttentionMask",
            "[encoder batch, sourceLength] of encoderHiddenStates",
          ),
        );
  return {
    past,
    offset,
    mask,
    cross: { states: states2d, length: sourceLength, mask: crossMask, rowsPerState: batch / encoderRows },
  };
}
