import { tf } from "@warmstart/tensors";
import { ModelInputError } from "./errors.js";

/** Token ids, masks or type ids: a `[batch, length]` tensor or nested arrays. */
export type IdInput = tf.Tensor | number[][];

/** A validated `[batch, length]` integer batch: the int32 tensor plus its values on the JS side. */
export interface IdBatch {
  tensor: tf.Tensor2D;
  values: ArrayLike<number>;
  batch: number;
  length: number;
}

/**
 * Reads `input` as a `[batch, length]` integer matrix. Call inside a tidy: the int32 tensor it may create is
 * scoped there. Non-integer values are rejected instead of being truncated by the cast.
 */
export function readIdBatch(input: IdInput, what: string): IdBatch {
  let tensor: tf.Tensor;
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2) {
      throw new ModelInputError("SHAPE_MISMATCH", `${what} must be [batch, length], got shape [${input.shape}]`);
    }
    tensor = input;
  } else {
    if (!Array.isArray(input) || input.length === 0 || !input.every((row) => Array.isArray(row))) {
      throw new ModelInputError("INVALID_INPUT", `${what} must be a non-empty number[][] or a 2-D tensor`);
    }
    const length = input[0]?.length ?? 0;
    const ragged = input.findIndex((row) => row.length !== length);
    if (ragged >= 0) {
      throw new ModelInputError(
        "SHAPE_MISMATCH",
        `${what} rows must have equal lengths: row 0 has ${length}, row ${ragged} has ${input[ragged]?.length}`,
      );
    }
    tensor = tf.tensor2d(input.flat(), [input.length, length], "float32");
  }
  const [batch, length] = tensor.shape as [number, number];
  if (batch === 0 || length === 0) {
    throw new ModelInputError("SHAPE_MISMATCH", `${what} is empty (shape [${tensor.shape}])`);
  }
  const values = tensor.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v)) {
      throw new ModelInputError(
        "INVALID_INPUT",
        `${what}[${Math.floor(i / length)}][${i % length}] = ${v} is not an integer`,
      );
    }
  }
  const ints = tensor.dtype === "int32" ? (tensor as tf.Tensor2D) : tf.cast(tensor, "int32");
  return { tensor: ints as tf.Tensor2D, values, batch, length };
}

/** Fails unless every id lies in [0, limit): out-of-range gathers return zeros or garbage silently. */
export function checkIdRange(ids: IdBatch, limit: number, what: string, limitField: string): void {
  for (let i = 0; i < ids.values.length; i++) {
    const v = ids.values[i] as number;
    if (v < 0 || v >= limit) {
      throw new ModelInputError(
        "TOKEN_ID_OUT_OF_RANGE",
        `${what}[${Math.floor(i / ids.length)}][${i % ids.length}] = ${v} is outside [0, ${limit}) (${limitField} ${limit})`,
      );
    }
  }
}

/** Fails unless `other` has the batch size and length given. */
export function checkShape(other: IdBatch, batch: number, length: number, what: string, expected: string): void {
  if (other.batch !== batch || other.length !== length) {
    throw new ModelInputError(
      "SHAPE_MISMATCH",
      `${what} has shape [${other.batch}, ${other.length}], expected [${batch}, ${length}] (${expected})`,
    );
  }
}

/** A 0/1 mask as float32 `[batch, length]`, checked to hold only 0 and 1. */
export function readMask(input: IdInput, batch: number, length: number, what: string, expected: string): tf.Tensor2D {
  const mask = readIdBatch(input, what);
  checkShape(mask, batch, length, what, expected);
  for (let i = 0; i < mask.values.length; i++) {
    const v = mask.values[i];
    if (v !== 0 && v !== 1) throw new ModelInputError("INVALID_INPUT", `${what} must hold only 0 and 1, found ${v}`);
  }
  return tf.cast(mask.tensor, "float32");
}
