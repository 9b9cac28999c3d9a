import { closeSync, fstatSync, openSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { decodeValues } from "../safetensors/decode.js";
import { itemSize, tfDtypeOf } from "../safetensors/dtypes.js";
import type { TensorInfo, TensorSource } from "../safetensors/read.js";
import { PytorchBinError } from "./errors.js";
import { describe, PyDict, TensorRef, unpickle, type UnpickleLimits } from "./pickle.js";
import { dataStart, readAt, readZipDirectory, type ZipEntry } from "./zip.js";

export type OpenPytorchBinOptions = UnpickleLimits;

interface Entry {
  ref: TensorRef;
  info: TensorInfo;
  /** Where the storage's bytes start in the file. */
  base: number;
}

/**
 * Opens a `torch.save` zip checkpoint (torch >= 1.6, e.g. `pytorch_model.bin`) without running anything:
 * `data.pkl` is read by a restricted unpickler that knows only what a state dict needs, and every tensor's
 * storage, offset and strides are checked against the bytes in the file before `open` returns. Tensors are
 * read on demand like a safetensors file's (floats to float32, integers to int32).
 */
export async function openPytorchBin(path: string, options: OpenPytorchBinOptions = {}): Promise<TensorSource> {
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    const magic = readAt(fd, 0, Math.min(fileSize, 4), path);
    if (!(magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04)) {
      if (magic[0] === 0x80) {
        throw new PytorchBinError(
          "LEGACY_PYTORCH_FORMAT",
          path,
          "a legacy (pre-torch-1.6, non-zip) torch.save file; it is not read here. Re-save it once in Python with " +
            "torch >= 1.6 (`torch.save(torch.load(f), f)`) or as safetensors (`model.save_pretrained(dir)`).",
        );
      }
      throw new PytorchBinError("INVALID_ZIP", path, "not a zip archive (a torch.save file starts with PK\\x03\\x04)");
    }
    const entries = readZipDirectory(fd, fileSize, path);
    const pkls = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pkls.length !== 1) {
      throw new PytorchBinError("INVALID_ZIP", path, `expected one <archive>/data.pkl, found ${pkls.length}`);
    }
    const prefix = (pkls[0] as string).slice(0, -"data.pkl".length);
    const member = (name: string): ZipEntry | undefined => entries.get(prefix + name);
    const byteorder = member("byteorder");
    if (byteorder !== undefined) {
      const order = new TextDecoder().decode(
        readAt(fd, dataStart(fd, fileSize, byteorder, path), Math.min(byteorder.size, 16), path),
      );
      if (order !== "little") {
        throw new PytorchBinError(
          "INVALID_PICKLE",
          path,
          `byteorder ${JSON.stringify(order)}: only little-endian checkpoints are read`,
        );
      }
    }
    const pkl = member("data.pkl") as ZipEntry;
    const pickle = readAt(fd, dataStart(fd, fileSize, pkl, path), pkl.size, path);
    const root = unpickle(pickle, path, options);
    if (!(root instanceof PyDict)) {
      throw new PytorchBinError("INVALID_PICKLE", path, `data.pkl holds ${describe(root)}, not a state dict`);
    }
    const tensors = new Map<string, Entry>();
    const bases = new Map<string, number>();
    for (const [key, value] of root.map) {
      if (!(value instanceof TensorRef)) continue;
      if (typeof key !== "string") {
        throw new PytorchBinError("INVALID_PICKLE", path, `state dict key ${describe(key)} is not a string`);
      }
      const { storage, offset, shape, stride } = value;
      const data = member(`data/${storage.key}`);
      if (data === undefined) {
        throw new PytorchBinError(
          "OFFSETS_OUT_OF_RANGE",
          path,
          `storage data/${storage.key} is not in the archive`,
          key,
        );
      }
      const size = itemSize(storage.dtype);
      if (storage.numel * size > data.size) {
        throw new PytorchBinError(
          "OFFSETS_OUT_OF_RANGE",
          path,
          `storage data/${storage.key} declares ${storage.numel} ${storage.dtype} elements but holds ${data.size} bytes`,
          key,
        );
      }
      let numel = 1;
      let last = offset;
      for (let d = 0; d < shape.length; d++) {
        numel *= shape[d] as number;
        last += ((shape[d] as number) - 1) * (stride[d] as number);
      }
      if (!Number.isSafeInteger(numel) || (numel > 0 && !(last < storage.numel && Number.isSafeInteger(last)))) {
        throw new PytorchBinError(
          "OFFSETS_OUT_OF_RANGE",
          path,
          `shape [${shape}] with strides [${stride}] from offset ${offset} reaches past the ${storage.numel} elements of storage data/${storage.key}`,
          key,
        );
      }
      let base = bases.get(storage.key);
      if (base === undefined) {
        base = dataStart(fd, fileSize, data, path);
        bases.set(storage.key, base);
      }
      tensors.set(key, {
        ref: value,
        base,
        info: { dtype: storage.dtype, shape: [...shape], byteLength: numel * size },
      });
    }
    return new PytorchBinFile(path, fd, tensors);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

class PytorchBinFile implements TensorSource {
  readonly path: string;
  readonly metadata: Record<string, string> = { format: "pt" };
  readonly #entries: Map<string, Entry>;
  #fd: number | undefined;

  constructor(path: string, fd: number, entries: Map<string, Entry>) {
    this.path = path;
    this.#fd = fd;
    this.#entries = entries;
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  info(name: string): TensorInfo {
    const { info } = this.#entry(name);
    return { ...info, shape: [...info.shape] };
  }

  tensor(name: string): tf.Tensor {
    const { ref, base, info } = this.#entry(name);
    if (this.#fd === undefined) throw new PytorchBinError("CLOSED", this.path, "the file was closed", name);
    const tfDtype = tfDtypeOf(info.dtype);
    if (tfDtype === undefined) {
      throw new PytorchBinError("UNSUPPORTED_DTYPE", this.path, `dtype ${info.dtype} has no conversion`, name);
    }
    const size = itemSize(info.dtype);
    const numel = info.byteLength / size;
    let bytes: Uint8Array;
    if (numel === 0) {
      bytes = new Uint8Array(0);
    } else if (isContiguous(ref.shape, ref.stride)) {
      bytes = readAt(this.#fd, base + ref.offset * size, info.byteLength, this.path);
    } else {
      // A strided view (a transpose, a slice): read the span it touches, then gather its elements in order.
      let last = ref.offset;
      for (let d = 0; d < ref.shape.length; d++) last += ((ref.shape[d] as number) - 1) * (ref.stride[d] as number);
      const span = readAt(this.#fd, base + ref.offset * size, (last - ref.offset + 1) * size, this.path);
      bytes = new Uint8Array(info.byteLength);
      const index = new Array<number>(ref.shape.length).fill(0);
      let source = 0;
      for (let i = 0; i < numel; i++) {
        bytes.set(span.subarray(source * size, source * size + size), i * size);
        for (let d = ref.shape.length - 1; d >= 0; d--) {
          index[d] = (index[d] as number) + 1;
          source += ref.stride[d] as number;
          if ((index[d] as number) < (ref.shape[d] as number)) break;
          source -= (ref.shape[d] as number) * (ref.stride[d] as number);
          index[d] = 0;
        }
      }
    }
    const values = decodeValues(bytes, info.dtype, this.path, name);
    return tf.tensor(values, info.shape, tfDtype);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw new PytorchBinError("UNKNOWN_TENSOR", this.path, "no tensor of that name in the file", name);
    }
    return entry;
  }
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && stride[d] !== expected) return false;
    expected *= shape[d] as number;
  }
  return true;
}
