import { readSync } from "node:fs";
import { PytorchBinError } from "./errors.js";

/** One stored member of a zip archive: where its bytes start in the file and how many there are. */
export interface ZipEntry {
  name: string;
  size: number;
  /** Offset of the local file header; the data follows it (found by `dataStart`). */
  localHeader: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** More members than this is no state dict (torch writes one per storage plus a handful). */
const MAX_ENTRIES = 1_000_000;

/**
 * Reads the central directory of a zip archive as torch.save writes it: stored (uncompressed) members only,
 * zip64 when large. Every size and offset is checked against the file size before anything is allocated,
 * so a member that claims more bytes than the file holds (a zip bomb) or a compressed one is refused.
 */
export function readZipDirectory(fd: number, fileSize: number, path: string): Map<string, ZipEntry> {
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = readAt(fd, fileSize - tailLength, tailLength, path);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new PytorchBinError("INVALID_ZIP", path, "no zip end-of-central-directory record found");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) {
      throw new PytorchBinError("INVALID_ZIP", path, "zip64 sizes without a zip64 locator");
    }
    const at = safeNumber(view.getBigUint64(locator + 8, true), path, "zip64 record offset");
    if (at + 56 > fileSize) {
      throw new PytorchBinError("INVALID_ZIP", path, `zip64 record at ${at} lies past the end of the file`);
    }
    const record = readAt(fd, at, 56, path);
    const rv = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) {
      throw new PytorchBinError("INVALID_ZIP", path, "bad zip64 end-of-central-directory record");
    }
    count = safeNumber(rv.getBigUint64(32, true), path, "zip64 entry count");
    cdSize = safeNumber(rv.getBigUint64(40, true), path, "zip64 directory size");
    cdOffset = safeNumber(rv.getBigUint64(48, true), path, "zip64 directory offset");
  }
  if (count > MAX_ENTRIES || count * 46 > cdSize || cdOffset + cdSize > fileSize) {
    throw new PytorchBinError(
      "INVALID_ZIP",
      path,
      `the zip directory declares ${count} entries in ${cdSize} bytes at offset ${cdOffset}, beyond the ${fileSize}-byte file`,
    );
  }
  const cd = readAt(fd, cdOffset, cdSize, path);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL) {
      throw new PytorchBinError("INVALID_ZIP", path, `zip directory entry ${n} is malformed`);
    }
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    let compressed = cv.getUint32(p + 20, true);
    let size = cv.getUint32(p + 24, true);
    const nameLength = cv.getUint16(p + 28, true);
    const extraLength = cv.getUint16(p + 30, true);
    const commentLength = cv.getUint16(p + 32, true);
    let localHeader = cv.getUint32(p + 42, true);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) {
      throw new PytorchBinError("INVALID_ZIP", path, `zip directory entry ${n} runs past the directory`);
    }
    const name = new TextDecoder("utf-8", { fatal: false }).decode(cd.subarray(p + 46, p + 46 + nameLength));
    // zip64 extended information: the 0xffffffff fields, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = cv.getUint16(e, true);
      const length = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (what: string): number => {
          if (q + 8 > e + 4 + length) {
            throw new PytorchBinError("INVALID_ZIP", path, `zip64 field ${what} missing for ${name}`);
          }
          const value = safeNumber(cv.getBigUint64(q, true), path, `${name} ${what}`);
          q += 8;
          return value;
        };
        if (size === 0xffffffff) size = next("size");
        if (compressed === 0xffffffff) compressed = next("compressed size");
        if (localHeader === 0xffffffff) localHeader = next("offset");
      }
      e += 4 + length;
    }
    if (flags & 1) throw new PytorchBinError("INVALID_ZIP", path, `zip entry ${name} is encrypted`);
    if (method !== 0) {
      throw new PytorchBinError(
        "INVALID_ZIP",
        path,
        `zip entry ${name} is compressed (method ${method}); torch.save writes stored entries, and compressed ones are refused`,
      );
    }
    if (compressed !== size || localHeader + 30 + size > fileSize) {
      throw new PytorchBinError(
        "INVALID_ZIP",
        path,
        `zip entry ${name} declares ${size} bytes (${compressed} stored) at offset ${localHeader}, beyond the ${fileSize}-byte file`,
      );
    }
    if (entries.has(name)) throw new PytorchBinError("INVALID_ZIP", path, `zip entry ${name} appears twice`);
    entries.set(name, { name, size, localHeader });
    p = end;
  }
  return entries;
}

/** Where a member's bytes start, from its local header; checked to lie in the file. */
export function dataStart(fd: number, fileSize: number, entry: ZipEntry, path: string): number {
  const header = readAt(fd, entry.localHeader, 30, path);
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (hv.getUint32(0, true) !== LOCAL) {
    throw new PytorchBinError("INVALID_ZIP", path, `zip entry ${entry.name} has no local header`);
  }
  const start = entry.localHeader + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (start + entry.size > fileSize) {
    throw new PytorchBinError("INVALID_ZIP", path, `zip entry ${entry.name} runs past the end of the file`);
  }
  return start;
}

export function readAt(fd: number, position: number, length: number, path: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, out, done, Math.min(1 << 30, length - done), position + done);
    if (got === 0) throw new PytorchBinError("READ_FAILED", path, `file ended at byte ${position + done}`);
    done += got;
  }
  return out;
}

function safeNumber(value: bigint, path: string, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new PytorchBinError("INVALID_ZIP", path, `${what} ${value} is beyond 2^53`);
  }
  return Number(value);
}
