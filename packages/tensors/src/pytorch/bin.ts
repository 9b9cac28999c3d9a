import { closeSync, fstatSync, openSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { decodeValues } from "../safetensors/decode.js";
import { itemSize, tfDtypeOf } from "../safetensors/dtypes.js";
import type { TensorInfo, TensorSource } from "../safetensors/read.js";
import { PytorchBinError } from "./errors.js";
import type { SafetensorsDtype } from "../safetensors/dtypes.js";
import {
  describe,
  PickleTruncatedError,
  PyDict,
  PyList,
  TensorRef,
  unpickle,
  unpickleAt,
  type PyValue,
  type UnpickleLimits,
} from "./pickle.js";
import { dataStart, readAt, readZipDirectory, type ZipEntry } from "./zip.js";

export type OpenPytorchBinOptions = UnpickleLimits;

interface Entry {
  ref: TensorRef;
  info: TensorInfo;
  /** Where the storage's bytes start in the file. */
  base: number;
}

/** Where one storage's bytes are: `label` names it in errors, `base` is looked up only for storages in use. */
interface StorageBytes {
  label: string;
  size: number;
  base: () => number;
}

/** What either format yields before its tensors are checked: the unpickled state dict and its storages. */
interface Layout {
  root: PyValue;
  /** The pickle holding the state dict, as errors name it. */
  pickleName: string;
  storage: (key: string) => StorageBytes | undefined;
}

/** torch.save's legacy format starts with this number, pickled (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** And then this protocol version. */
const LEGACY_PROTOCOL = 1001;

function zipLayout(fd: number, fileSize: number, path: string, options: OpenPytorchBinOptions): Layout {
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
  const bases = new Map<string, number>();
  return {
    root: unpickle(pickle, path, options),
    pickleName: "data.pkl",
    storage(key) {
      const data = member(`data/${key}`);
      if (data === undefined) return undefined;
      return {
        label: `data/${key}`,
        size: data.size,
        base() {
          let base = bases.get(key);
          if (base === undefined) {
            base = dataStart(fd, fileSize, data, path);
            bases.set(key, base);
          }
          return base;
        },
      };
    },
  };
}

/**
 * The legacy (pre-torch-1.6) torch.save format, which Hub checkpoints saved before mid-2020 still use: five
 * pickles in a row (magic number, protocol version, sys_info, the state dict, the sorted storage keys), then
 * each storage in key order as an int64 element count and its raw bytes. The pickles are parsed from a prefix
 * of the file that grows until they fit; the storages are only located, and read on demand like the zip's.
 */
function legacyLayout(fd: number, fileSize: number, path: string, options: OpenPytorchBinOptions): Layout {
  for (let prefixSize = Math.min(fileSize, 1 << 20); ; prefixSize = Math.min(fileSize, prefixSize * 4)) {
    try {
      return parseLegacy(readAt(fd, 0, prefixSize, path), fd, fileSize, path, options);
    } catch (error) {
      if (!(error instanceof PickleTruncatedError) || prefixSize === fileSize) throw error;
    }
  }
}

function parseLegacy(
  prefix: Uint8Array,
  fd: number,
  fileSize: number,
  path: string,
  options: OpenPytorchBinOptions,
): Layout {
  let pos = 0;
  const next = (what: string): PyValue => {
    const { value, end } = unpickleAt(prefix, pos, path, options, `${what} (legacy torch.save) starting at`);
    pos = end;
    return value;
  };
  const magic = next("magic number");
  if (magic !== LEGACY_MAGIC) {
    throw new PytorchBinError(
      "INVALID_PICKLE",
      path,
      `starts with a pickle of ${describe(magic)}, not torch.save's magic number: not a PyTorch checkpoint`,
    );
  }
  const protocol = next("protocol version");
  if (protocol !== LEGACY_PROTOCOL) {
    throw new PytorchBinError(
      "INVALID_PICKLE",
      path,
      `legacy torch.save protocol version ${describe(protocol)}; expected ${LEGACY_PROTOCOL}`,
    );
  }
  const sysInfo = next("sys_info");
  if (!(sysInfo instanceof PyDict) || sysInfo.map.get("little_endian") !== true) {
    throw new PytorchBinError(
      "INVALID_PICKLE",
      path,
      "sys_info does not say little_endian: only little-endian checkpoints are read",
    );
  }
  const root = next("state dict");
  const keys = next("storage keys");
  if (!(keys instanceof PyList) || !keys.items.every((key) => typeof key === "string")) {
    throw new PytorchBinError("INVALID_PICKLE", path, `the storage key list is ${describe(keys)}, not a list of names`);
  }
  // The data section stores no element size: each storage's comes from the tensors that use it.
  const dtypes = new Map<string, SafetensorsDtype>();
  if (root instanceof PyDict) {
    for (const value of root.map.values()) {
      if (value instanceof TensorRef) dtypes.set(value.storage.key, value.storage.dtype);
    }
  }
  const storages = new Map<string, StorageBytes>();
  let at = pos;
  for (const key of keys.items as string[]) {
    const dtype = dtypes.get(key);
    if (dtype === undefined || storages.has(key)) {
      throw new PytorchBinError(
        "INVALID_PICKLE",
        path,
        `storage ${key} is ${storages.has(key) ? "listed twice" : "listed but used by no tensor (its element size is unknown)"}`,
      );
    }
    if (at + 8 > fileSize) {
      throw new PytorchBinError("OFFSETS_OUT_OF_RANGE", path, `storage ${key} starts past the end of the file`);
    }
    const count = new DataView(readAt(fd, at, 8, path).buffer).getBigInt64(0, true);
    const size = Number(count) * itemSize(dtype);
    if (count < 0n || !Number.isSafeInteger(size) || at + 8 + size > fileSize) {
      throw new PytorchBinError(
        "OFFSETS_OUT_OF_RANGE",
        path,
        `storage ${key} declares ${count} ${dtype} elements, past the end of the ${fileSize}-byte file`,
      );
    }
    const base = at + 8;
    storages.set(key, { label: `storage ${key}`, size, base: () => base });
    at = base + size;
  }
  return { root, pickleName: "the state dict pickle", storage: (key) => storages.get(key) };
}

/**
 * Opens a `torch.save` checkpoint (e.g. `pytorch_model.bin`) without running anything: the zip format of torch
 * >= 1.6, or the legacy format before it. The pickle is read by a restricted unpickler that knows only what a
 * state dict needs, and every tensor's storage, offset and strides are checked against the bytes in the file
 * before `open` returns. Tensors are read on demand like a safetensors file's (floats to float32, integers to
 * int32).
 */
export async function openPytorchBin(path: string, options: OpenPytorchBinOptions = {}): Promise<TensorSource> {
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    const magic = readAt(fd, 0, Math.min(fileSize, 4), path);
    const isZip = magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04;
    if (!isZip && magic[0] !== 0x80) {
      throw new PytorchBinError(
        "INVALID_ZIP",
        path,
        "not a torch.save file: not a zip archive (torch >= 1.6 starts with PK\\x03\\x04) nor a pickle (the legacy format starts with \\x80)",
      );
    }
    const layout = isZip ? zipLayout(fd, fileSize, path, options) : legacyLayout(fd, fileSize, path, options);
    const { root } = layout;
    if (!(root instanceof PyDict)) {
      throw new PytorchBinError(
        "INVALID_PICKLE",
        path,
        `${layout.pickleName} holds ${describe(root)}, not a state dict`,
      );
    }
    const tensors = new Map<string, Entry>();
    for (const [key, value] of root.map) {
      if (!(value instanceof TensorRef)) continue;
      if (typeof key !== "string") {
        throw new PytorchBinError("INVALID_PICKLE", path, `state dict key ${describe(key)} is not a string`);
      }
      const { storage, offset, shape, stride } = value;
      const data = layout.storage(storage.key);
      if (data === undefined) {
        throw new PytorchBinError(
          "OFFSETS_OUT_OF_RANGE",
          path,
          `storage ${isZip ? `data/${storage.key} is not in the archive` : `${storage.key} is not in the file`}`,
          key,
        );
      }
      const size = itemSize(storage.dtype);
      if (storage.numel * size > data.size) {
        throw new PytorchBinError(
          "OFFSETS_OUT_OF_RANGE",
          path,
          `${data.label} declares ${storage.numel} ${storage.dtype} elements but holds ${data.size} bytes`,
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
          `shape [${shape}] with strides [${stride}] from offset ${offset} reaches past the ${storage.numel} elements of ${data.label}`,
          key,
        );
      }
      tensors.set(key, {
        ref: value,
        base: data.base(),
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
