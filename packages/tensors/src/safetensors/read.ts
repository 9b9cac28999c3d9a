import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { decodeValues } from "./decode.js";
import { tfDtypeOf, type SafetensorsDtype } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";
import { headerLength, parseHeader, type TensorEntry } from "./header.js";

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Bytes the tensor takes in the file. */
  byteLength: number;
}

/** Tensors by name, read on demand. Shared by a single safetensors file and a (sharded) checkpoint. */
export interface TensorSource {
  /** The file (or, for a checkpoint, the folder). */
  readonly path: string;
  /** The header's `__metadata__` (for a sharded checkpoint, the index's string-valued `metadata`). */
  readonly metadata: Record<string, string>;
  /** Tensor names in header order. */
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** Reads one tensor: F32/F16/BF16/F64 become float32, integer types and BOOL become int32. */
  tensor(name: string): tf.Tensor;
  /** Releases the file handle(s); later reads throw `CLOSED`. */
  close(): void;
}

export type SafetensorsFile = TensorSource;

export interface OpenSafetensorsOptions {
  /**
   * Allocates the byte buffers the reader fills (header, then one per tensor read). The default is
   * `new Uint8Array(n)`; tests pass a counting allocator to prove no request exceeds the file size.
   */
  allocate?: (byteLength: number) => Uint8Array;
}

/** Node refuses single reads above 2 GiB; larger tensors are read in pieces. */
const READ_CHUNK = 1 << 30;

/**
 * Opens a safetensors file: reads and validates the header now (before any allocation it sizes), and each
 * tensor's bytes later, on demand, with positional reads. Throws `SafetensorsError` for any malformed file.
 */
export async function openSafetensors(path: string, options: OpenSafetensorsOptions = {}): Promise<SafetensorsFile> {
  const allocate = options.allocate ?? ((n: number) => new Uint8Array(n));
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) {
      throw new SafetensorsError(
        "FILE_TOO_SHORT",
        path,
        `${fileSize} bytes; a safetensors file starts with an 8-byte header length`,
      );
    }
    const prefix = new Uint8Array(8);
    readExactly(fd, prefix, 0, path, undefined);
    const length = headerLength(prefix, fileSize, path);
    const headerBytes = allocate(length);
    readExactly(fd, headerBytes, 8, path, undefined);
    const header = parseHeader(headerBytes, fileSize, path);
    return new FileSource(path, fd, header.metadata, header.entries, allocate);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

class FileSource implements SafetensorsFile {
  readonly path: string;
  readonly metadata: Record<string, string>;
  readonly #entries: Map<string, TensorEntry>;
  readonly #allocate: (byteLength: number) => Uint8Array;
  #fd: number | undefined;

  constructor(
    path: string,
    fd: number,
    metadata: Record<string, string>,
    entries: Map<string, TensorEntry>,
    allocate: (byteLength: number) => Uint8Array,
  ) {
    this.path = path;
    this.#fd = fd;
    this.metadata = metadata;
    this.#entries = entries;
    this.#allocate = allocate;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  info(name: string): TensorInfo {
    const { dtype, shape, byteLength } = this.#entry(name);
    return { dtype, shape: [...shape], byteLength };
  }

  tensor(name: string): tf.Tensor {
    const entry = this.#entry(name);
    if (this.#fd === undefined) {
      throw new SafetensorsError("CLOSED", this.path, "the file was closed", name);
    }
    const tfDtype = tfDtypeOf(entry.dtype);
    if (tfDtype === undefined) {
      throw new SafetensorsError(
        "UNSUPPORTED_DTYPE",
        this.path,
        `dtype ${entry.dtype} has no TensorFlow.js conversion`,
        name,
      );
    }
    const bytes = this.#allocate(entry.byteLength);
    readExactly(this.#fd, bytes, entry.start, this.path, name);
    const values = decodeValues(bytes, entry.dtype, this.path, name);
    return tf.tensor(values, entry.shape, tfDtype);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #entry(name: string): TensorEntry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw new SafetensorsError("UNKNOWN_TENSOR", this.path, "no tensor of that name in the file", name);
    }
    return entry;
  }
}

function readExactly(fd: number, into: Uint8Array, position: number, file: string, tensor: string | undefined): void {
  let done = 0;
  while (done < into.length) {
    const want = Math.min(READ_CHUNK, into.length - done);
    const got = readSync(fd, into, done, want, position + done);
    if (got === 0) {
      throw new SafetensorsError(
        "READ_FAILED",
        file,
        `file ended at byte ${position + done} while ${into.length - done} more bytes were expected (was it truncated while open?)`,
        tensor,
      );
    }
    done += got;
  }
}
