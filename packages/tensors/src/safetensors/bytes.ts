import * as tf from "@tensorflow/tfjs";
import { decodeValues } from "./decode.js";
import { tfDtypeOf } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";
import { headerLength, parseHeader, type TensorEntry } from "./header.js";
import type { TensorInfo, TensorSource } from "./read.js";

/**
 * A safetensors file already in memory (fetched by a browser, received over a socket), with the same validation
 * and conversions as `openSafetensors` and no file system: this module imports nothing from Node.
 */
export function readSafetensorsBytes(bytes: Uint8Array, source: string): TensorSource {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(
      "FILE_TOO_SHORT",
      source,
      `${bytes.byteLength} bytes; a safetensors file starts with an 8-byte header length`,
    );
  }
  const length = headerLength(bytes.subarray(0, 8), bytes.byteLength, source);
  const header = parseHeader(bytes.subarray(8, 8 + length), bytes.byteLength, source);
  const entry = (name: string): TensorEntry => {
    const found = header.entries.get(name);
    if (found === undefined) {
      throw new SafetensorsError("UNKNOWN_TENSOR", source, "no tensor of that name in the file", name);
    }
    return found;
  };
  return {
    path: source,
    metadata: header.metadata,
    names: () => [...header.entries.keys()],
    has: (name) => header.entries.has(name),
    info: (name): TensorInfo => {
      const { dtype, shape, byteLength } = entry(name);
      return { dtype, shape: [...shape], byteLength };
    },
    tensor: (name) => {
      const { dtype, shape, start, byteLength } = entry(name);
      const tfDtype = tfDtypeOf(dtype);
      if (tfDtype === undefined) {
        throw new SafetensorsError("UNSUPPORTED_DTYPE", source, `dtype ${dtype} has no TensorFlow.js conversion`, name);
      }
      // A copy: decodeValues needs the tensor's bytes at offset 0 of their buffer (alignment).
      return tf.tensor(decodeValues(bytes.slice(start, start + byteLength), dtype, source, name), shape, tfDtype);
    },
    close: () => undefined,
  };
}
