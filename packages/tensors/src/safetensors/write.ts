import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { itemSize, type SafetensorsDtype } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";

const DTYPE_OF: Partial<Record<string, SafetensorsDtype>> = { float32: "F32", int32: "I32", bool: "BOOL" };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Writes tensors as a safetensors file the way the reference implementation lays it out: larger dtypes
 * first, then names in byte order; header keys in data order after `__metadata__`; the JSON padded with
 * spaces to a multiple of 8 bytes. Atomic: a temporary file in the same folder is written, fsynced and
 * renamed over `path`, so readers see either the old file or the whole new one.
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

  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx");
  try {
    writeAll(fd, head);
    for (const { tensor, dtype } of planned) {
      writeAll(fd, toBytes(await tensor.data(), dtype));
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed before the rename failed
    }
    unlinkSync(temp);
    throw error;
  }
  syncFolder(dirname(path));
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

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  // Single writes above 2 GiB are refused by Node, so large tensors go in pieces.
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/** Makes the rename durable; some platforms cannot open folders, which only loses durability, not atomicity. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
