import { SafetensorsError } from "./errors.js";
import type { SafetensorsDtype } from "./dtypes.js";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts a tensor's little-endian bytes to the values of its TensorFlow.js tensor: floats to a
 * Float32Array, integers and booleans to an Int32Array. `bytes` must start at offset 0 of its buffer.
 */
export function decodeValues(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
  file: string,
  tensor: string,
): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32":
      return wordsOf(bytes, Float32Array, (i) => view.getFloat32(i * 4, true));
    case "F64":
      return fill(new Float32Array(bytes.byteLength / 8), (i) => view.getFloat64(i * 8, true));
    case "F16":
      return fill(new Float32Array(bytes.byteLength / 2), (i) => halfToFloat(view.getUint16(i * 2, true)));
    case "BF16": {
      // bfloat16 is the upper half of a float32.
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case "I32":
      return wordsOf(bytes, Int32Array, (i) => view.getInt32(i * 4, true));
    case "I16":
      return fill(new Int32Array(bytes.byteLength / 2), (i) => view.getInt16(i * 2, true));
    case "U16":
      return fill(new Int32Array(bytes.byteLength / 2), (i) => view.getUint16(i * 2, true));
    case "I8":
      return fill(new Int32Array(bytes.byteLength), (i) => view.getInt8(i));
    case "U8":
      return Int32Array.from(bytes);
    case "BOOL": {
      const out = new Int32Array(bytes.byteLength);
      for (let i = 0; i < out.length; i++) out[i] = bytes[i] === 0 ? 0 : 1;
      return out;
    }
    case "U32":
      return fill(new Int32Array(bytes.byteLength / 4), (i) =>
        checkInt32(view.getUint32(i * 4, true), i, dtype, file, tensor),
      );
    case "I64":
      return fill(new Int32Array(bytes.byteLength / 8), (i) =>
        checkInt32(view.getBigInt64(i * 8, true), i, dtype, file, tensor),
      );
    case "U64":
      return fill(new Int32Array(bytes.byteLength / 8), (i) =>
        checkInt32(view.getBigUint64(i * 8, true), i, dtype, file, tensor),
      );
    case "F8_E4M3":
    case "F8_E5M2":
      throw new SafetensorsError("UNSUPPORTED_DTYPE", file, `dtype ${dtype} has no float32 conversion here`, tensor);
  }
}

/** 4-byte values: a view over the bytes when host order and alignment allow, else a decoded copy. */
function wordsOf<T extends Float32Array | Int32Array>(
  bytes: Uint8Array,
  Type: { new (buffer: ArrayBufferLike, offset: number, length: number): T; new (length: number): T },
  value: (i: number) => number,
): T {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return fill(new Type(bytes.byteLength / 4), value);
}

function fill<T extends Float32Array | Int32Array>(out: T, value: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = value(i);
  return out;
}

function checkInt32(value: number | bigint, index: number, dtype: string, file: string, tensor: string): number {
  if (value > 2147483647 || value < -2147483648) {
    throw new SafetensorsError(
      "VALUE_OUT_OF_RANGE",
      file,
      `${dtype} value ${value} at element ${index} does not fit the int32 tensor TensorFlow.js uses for integers`,
      tensor,
    );
  }
  return Number(value);
}

/** IEEE 754 binary16 to a JS number, exactly (every half value is a float32 value). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
