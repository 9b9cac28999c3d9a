import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomically } from "@warmstart/core/fs";
import { itemSize, type SafetensorsDtype } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";

const DTYPE_OF: Partial<Record<string, SafetensorsDtype>> = { float32: "F32", int32: "I32", bool: "BOOL" };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface WriteSafetensorsOptions {
  /**
   * How float32 tensors are stored: "F32" (default) or "F16" — IEEE half precision, rounded to nearest even as
   * PyTorch's `.half()` rounds, so a file written here matches `model.half().save_pretrained()` bit for bit.
   * Readers (this package and transformers) widen F16 back to float32 on loading.
   */
  floatDtype?: "F32" | "F16";
}

/**
 * Writes tensors as a safetensors file the way the reference implementation lays it out: larger dtypes
 * first, then names in byte order; header keys in data order after `__metadata__`; the JSON padded with
 * spaces to a multiple of 8 bytes. Atomic (@warmstart/core/fs): readers see either the old file or the whole
 * new one.
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, tf.Tensor> | Map<string, tf.Tensor>,
  metadata?: Record<string, string>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const floatDtype = options.floatDtype ?? "F32";
  if (floatDtype !== "F32" && floatDtype !== "F16") {
    throw new SafetensorsError(
      "UNSUPPORTED_DTYPE",
      path,
      `floatDtype must be "F32" or "F16", got "${String(floatDtype)}"`,
    );
  }
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const planned = entries.map(([name, tensor]) => {
    const dtype = tensor.dtype === "float32" ? floatDtype : DTYPE_OF[tensor.dtype];
    if (dtype === undefined) {
      throw new SafetensorsError(
        "UNSUPPORTED_DTYPE",
        path,
        `cannot write a ${tensor.dtype} tensor (float32, int32 and bool only)`,
        name,
      );
    }
    if (name === "__metadata__") {
      throw new SafetensorsError("INVALID_HEADER", path, "a tensor cannot be named __metadata__", name);
    }
    return { name, tensor, dtype, key: Buffer.from(name, "utf8") };
  });
  planned.sort((a, b) => itemSize(b.dtype) - itemSize(a.dtype) || Buffer.compare(a.key, b.key));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, tensor, dtype } of planned) {
    const byteLength = tensor.size * itemSize(dtype);
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Math.ceil(json.length / 8) * 8;
  const head = Buffer.alloc(8 + padded, 0x20);
  head.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(head, 8);

  await writeFileAtomically(path, async (write) => {
    write(head);
    for (const { tensor, dtype } of planned) write(toBytes(await tensor.data(), dtype));
  });
}

function toBytes(values: tf.TypedArray | string[], dtype: SafetensorsDtype): Uint8Array {
  const typed = values as tf.TypedArray;
  if (dtype === "BOOL") return Uint8Array.from(typed, (v) => (v === 0 ? 0 : 1));
  if (dtype === "F16") {
    const out = new Uint8Array(typed.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < typed.length; i++) view.setUint16(i * 2, floatToHalfBits(typed[i] as number), true);
    return out;
  }
  if (LITTLE_ENDIAN) return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const out = new Uint8Array(typed.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < typed.length; i++) {
    if (dtype === "F32") view.setFloat32(i * 4, typed[i] as number, true);
    else view.setInt32(i * 4, typed[i] as number, true);
  }
  return out;
}

const FLOAT_BITS = new Float32Array(1);
const WORD_BITS = new Uint32Array(FLOAT_BITS.buffer);

/**
 * The IEEE 754 half-precision bits of a float32 value, rounded to nearest, ties to even (what PyTorch and NumPy do):
 * values beyond the half range become ±Infinity, tiny ones half subnormals or ±0, NaN stays NaN.
 */
export function floatToHalfBits(value: number): number {
  FLOAT_BITS[0] = value;
  const bits = WORD_BITS[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  // Unbiased exponent; half keeps exponents -14..15 as normals.
  const e = exponent - 127;
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    // Normal half: keep 10 of the 23 mantissa bits, round the 13 dropped ones to nearest even.
    let half = ((e + 15) << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1; // a carry into the exponent is right
    return sign | half;
  }
  if (e < -25) return sign; // below half of the smallest subnormal: ±0
  // Subnormal half: the value is (1.mantissa) * 2^e = m * 2^-24 with m = (1.mantissa) * 2^(e + 24).
  const full = mantissa | 0x800000; // 24 significant bits, value = full * 2^(e - 23)
  const shift = -e - 1; // bits dropped so that the result counts units of 2^-24: 13 + (-14 - e)
  let half = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
  return sign | half;
}
