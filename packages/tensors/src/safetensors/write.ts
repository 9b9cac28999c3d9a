import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomically } from "@warmstart/core/fs";
import { itemSize, type SafetensorsDtype } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";

const DTYPE_OF: Partial<Record<string, SafetensorsDtype>> = { float32: "F32", int32: "I32", bool: "BOOL" };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
): Promise<void> {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const planned = entries.map(([name, tensor]) => {
    const dtype = DTYPE_OF[tensor.dtype];
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
  if (LITTLE_ENDIAN) return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const out = new Uint8Array(typed.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < typed.length; i++) {
    if (dtype === "F32") view.setFloat32(i * 4, typed[i] as number, true);
    else view.setInt32(i * 4, typed[i] as number, true);
  }
  return out;
}
