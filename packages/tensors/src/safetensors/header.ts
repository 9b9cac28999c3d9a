import { SafetensorsError } from "./errors.js";
import { isDtype, itemSize, type SafetensorsDtype } from "./dtypes.js";

/** What the header says about one tensor. Offsets are absolute positions in the file. */
export interface TensorEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  byteLength: number;
  /** Absolute file position of the first byte. */
  start: number;
}

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** In header order. */
  entries: Map<string, TensorEntry>;
  /** Absolute file position where the data section begins (8 + header length). */
  dataStart: number;
}

/** The reference implementation refuses headers above 100 MB; so do we, before allocating them. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Checks the 8-byte length prefix against the file size and returns the header length. Called before the
 * header buffer is allocated, so a corrupt prefix can never make us allocate more than the file holds.
 */
export function headerLength(prefix: Uint8Array, fileSize: number, file: string): number {
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(fileSize - 8) || length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      "HEADER_TOO_LARGE",
      file,
      `header length ${length} exceeds the ${fileSize - 8} bytes after the length prefix` +
        (length > BigInt(MAX_HEADER_BYTES) ? ` (or the ${MAX_HEADER_BYTES}-byte limit)` : ""),
    );
  }
  return Number(length);
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses and validates the header JSON against a file of `fileSize` bytes. */
export function parseHeader(bytes: Uint8Array, fileSize: number, file: string): ParsedHeader {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new SafetensorsError(
      "INVALID_HEADER_JSON",
      file,
      `header is not valid UTF-8 JSON (${(cause as Error).message})`,
      undefined,
      { cause },
    );
  }
  if (!isPlainObject(json)) {
    throw new SafetensorsError("INVALID_HEADER", file, "header JSON must be an object of tensor entries");
  }
  const dataStart = 8 + bytes.length;
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const entries = new Map<string, TensorEntry>();
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (!isPlainObject(value)) {
        throw new SafetensorsError("INVALID_HEADER", file, "__metadata__ must be an object of strings");
      }
      for (const [key, text] of Object.entries(value)) {
        if (typeof text !== "string") {
          throw new SafetensorsError(
            "INVALID_HEADER",
            file,
            `__metadata__.${key} must be a string, got ${typeof text}`,
          );
        }
        metadata[key] = text;
      }
      continue;
    }
    entries.set(name, parseEntry(name, value, dataStart, dataLength, file));
  }
  checkCoverage(entries, dataStart, dataLength, file);
  return { metadata, entries, dataStart };
}

function parseEntry(name: string, value: unknown, dataStart: number, dataLength: number, file: string): TensorEntry {
  if (!isPlainObject(value)) {
    throw new SafetensorsError("INVALID_HEADER", file, "entry must be an object {dtype, shape, data_offsets}", name);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") {
    throw new SafetensorsError("INVALID_HEADER", file, "dtype must be a string", name);
  }
  if (!isDtype(dtype)) {
    throw new SafetensorsError("UNKNOWN_DTYPE", file, `unknown dtype ${JSON.stringify(dtype)}`, name);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError("INVALID_HEADER", file, "shape must be an array of non-negative integers", name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === "number")) {
    throw new SafetensorsError("INVALID_HEADER", file, "data_offsets must be [begin, end]", name);
  }
  const [begin, end] = offsets as [number, number];
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin || end > dataLength) {
    throw new SafetensorsError(
      "OFFSETS_OUT_OF_RANGE",
      file,
      `data_offsets [${begin}, ${end}] must satisfy 0 <= begin <= end <= ${dataLength} (the data section's size)`,
      name,
    );
  }
  // The element count is multiplied out against the span the offsets give, so a huge shape fails here
  // rather than overflowing (every partial product stays below span + 1 before the next multiply).
  const span = end - begin;
  const size = itemSize(dtype);
  let bytes = size;
  for (const dim of shape as number[]) {
    if (dim === 0) {
      bytes = 0;
      break;
    }
    if (bytes > span) break;
    bytes *= dim;
  }
  if (bytes !== span) {
    const expected = bytes > span ? `more than ${span}` : String(bytes);
    throw new SafetensorsError(
      "SIZE_MISMATCH",
      file,
      `shape [${(shape as number[]).join(", ")}] x ${dtype} (${size} bytes) needs ${shape.includes(0) ? 0 : expected} bytes but data_offsets span ${span}`,
      name,
    );
  }
  return { dtype, shape: [...(shape as number[])], byteLength: span, start: dataStart + begin };
}

/** Tensors must tile the data section exactly: no overlaps, no holes, nothing after the last one. */
function checkCoverage(entries: Map<string, TensorEntry>, dataStart: number, dataLength: number, file: string): void {
  const sorted = [...entries].sort(([, a], [, b]) => a.start - b.start || a.byteLength - b.byteLength);
  let covered = dataStart;
  let previous: string | undefined;
  for (const [name, entry] of sorted) {
    if (entry.start < covered) {
      throw new SafetensorsError(
        "OVERLAPPING_OFFSETS",
        file,
        `data [${entry.start - dataStart}, ${entry.start - dataStart + entry.byteLength}] overlaps tensor "${previous}" (which ends at ${covered - dataStart})`,
        name,
      );
    }
    if (entry.start > covered) {
      throw new SafetensorsError(
        "DATA_GAP",
        file,
        `data bytes [${covered - dataStart}, ${entry.start - dataStart}) belong to no tensor (the format forbids holes)`,
        name,
      );
    }
    covered = entry.start + entry.byteLength;
    previous = name;
  }
  if (covered !== dataStart + dataLength) {
    throw new SafetensorsError(
      "DATA_GAP",
      file,
      `${dataStart + dataLength - covered} bytes after the last tensor's data belong to no tensor`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
