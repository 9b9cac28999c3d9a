import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { TrainingError } from "../errors.js";
import { parseCsv, parseTsv, type DelimitedRecord } from "./delimited.js";

/** A column by header name, or by 0-based position (files without a header). */
export type ColumnRef = string | number;

export interface ColumnMapping {
  source: ColumnRef;
  target: ColumnRef;
}

export type PairFormat = "jsonl" | "csv" | "tsv";

export interface ReadPairsOptions {
  columns: ColumnMapping;
  /** Default: from the file extension (.jsonl/.json, .csv, .tsv/.txt). */
  format?: PairFormat;
  /** CSV/TSV: whether the first record names the columns; default true when a column is given by name. */
  header?: boolean;
  /** Throw on the first malformed row instead of counting it. */
  failOnMalformed?: boolean;
  /** Name used in messages (the path when reading a file). */
  file?: string;
}

export interface Seq2SeqExample {
  source: string;
  target: string;
  /** Line of the file the example starts on (1-based). */
  line: number;
}

export interface MalformedRow {
  line: number;
  reason: string;
}

export interface ReadPairsResult {
  file: string;
  examples: Seq2SeqExample[];
  malformed: MalformedRow[];
}

/** Reads (source, target) pairs from a JSONL, CSV or TSV file. */
export async function readPairs(path: string, options: ReadPairsOptions): Promise<ReadPairsResult> {
  const format = options.format ?? formatFromExtension(path);
  const bytes = await readFile(path);
  const file = options.file ?? path;
  refuseBinary(bytes, file);
  return parsePairs(bytes.toString("utf8"), { ...options, format, file });
}

/**
 * Refuses a file that is not text (a model, an archive, a picture given as --train) before parsing, so that no
 * error message quotes its bytes: a NUL byte, or bytes that are not UTF-8, in the first 64 KiB.
 */
function refuseBinary(bytes: Uint8Array, file: string): void {
  const head = bytes.subarray(0, 65_536);
  const nul = head.indexOf(0);
  let reason: string | undefined = nul >= 0 ? `a NUL byte at offset ${nul}` : undefined;
  if (reason === undefined) {
    try {
      // A multi-byte character cut by the 64 KiB boundary is not an error: `stream` keeps it pending.
      new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: head.length < bytes.length });
    } catch {
      reason = "bytes that are not UTF-8 text";
    }
  }
  if (reason !== undefined) {
    throw new TrainingError(
      "UNSUPPORTED_FORMAT",
      `${file}: this looks like a binary file (${reason}), not JSONL, CSV or TSV text`,
    );
  }
}

export function formatFromExtension(path: string): PairFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".json") return "jsonl";
  if (ext === ".csv") return "csv";
  if (ext === ".tsv" || ext === ".txt") return "tsv";
  throw new TrainingError(
    "UNSUPPORTED_FORMAT",
    `${path}: cannot tell the format from "${ext}"; pass format: "jsonl" | "csv" | "tsv"`,
  );
}

/** Parses (source, target) pairs from text already in memory. */
export function parsePairs(text: string, options: ReadPairsOptions & { format: PairFormat }): ReadPairsResult {
  const file = options.file ?? "<text>";
  const result: ReadPairsResult = { file, examples: [], malformed: [] };
  const report = (line: number, reason: string): void => {
    if (options.failOnMalformed === true) {
      throw new TrainingError("MALFORMED_ROW", `${file}:${line}: ${reason}`);
    }
    result.malformed.push({ line, reason });
  };
  if (options.format === "jsonl") {
    readJsonl(text, options.columns, file, result, report);
  } else {
    const records = options.format === "csv" ? parseCsv(text) : parseTsv(text);
    readDelimited(records, options, file, result, report);
  }
  return result;
}

function readJsonl(
  text: string,
  columns: ColumnMapping,
  file: string,
  result: ReadPairsResult,
  report: (line: number, reason: string) => void,
): void {
  for (const [role, ref] of Object.entries(columns)) {
    if (typeof ref !== "string") {
      throw new TrainingError("INVALID_OPTION", `${file}: JSONL columns are keys; columns.${role} is ${String(ref)}`);
    }
  }
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const content = (lines[k] as string).trim();
    if (content.length === 0) continue;
    const line = k + 1;
    let row: unknown;
    try {
      row = JSON.parse(content);
    } catch (error) {
      report(line, `invalid JSON (${(error as Error).message})`);
      continue;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      report(line, "expected a JSON object");
      continue;
    }
    const record = row as Record<string, unknown>;
    const source = record[columns.source as string];
    const target = record[columns.target as string];
    const bad = [
      [columns.source, source],
      [columns.target, target],
    ].find(([, value]) => typeof value !== "string");
    if (bad !== undefined) {
      const [key, value] = bad;
      report(line, value === undefined ? `missing key "${String(key)}"` : `"${String(key)}" is not a string`);
      continue;
    }
    if (isEmptyPair(source as string, target as string)) {
      report(line, "source and target are both empty");
      continue;
    }
    result.examples.push({ source: source as string, target: target as string, line });
  }
}

/** A row with nothing to learn from: both sides empty or only white space. */
function isEmptyPair(source: string, target: string): boolean {
  return source.trim() === "" && target.trim() === "";
}

function readDelimited(
  records: Iterable<DelimitedRecord>,
  options: ReadPairsOptions,
  file: string,
  result: ReadPairsResult,
  report: (line: number, reason: string) => void,
): void {
  const { columns } = options;
  const byName = typeof columns.source === "string" || typeof columns.target === "string";
  const hasHeader = options.header ?? byName;
  let width: number | undefined;
  let sourceIndex = -1;
  let targetIndex = -1;
  const resolve = (role: "source" | "target", header: string[] | undefined): number => {
    const ref = columns[role];
    if (typeof ref === "number") {
      if (!Number.isInteger(ref) || ref < 0) {
        throw new TrainingError(
          "INVALID_OPTION",
          `${file}: columns.${role} must be a name or an index >= 0, got ${ref}`,
        );
      }
      return ref;
    }
    if (header === undefined) {
      throw new TrainingError("INVALID_OPTION", `${file}: columns.${role} is the name "${ref}" but header is false`);
    }
    const index = header.indexOf(ref);
    if (index < 0) {
      throw new TrainingError(
        "MISSING_COLUMN",
        `${file}: no column "${ref}" (for ${role}) in the header; columns are ${header.map((h) => JSON.stringify(h)).join(", ")}`,
      );
    }
    return index;
  };
  for (const record of records) {
    if ("error" in record) {
      report(record.line, record.error);
      continue;
    }
    if (width === undefined) {
      width = record.fields.length;
      const header = hasHeader ? record.fields : undefined;
      sourceIndex = resolve("source", header);
      targetIndex = resolve("target", header);
      const needed = Math.max(sourceIndex, targetIndex) + 1;
      if (needed > width) {
        throw new TrainingError(
          "MISSING_COLUMN",
          `${file}:${record.line}: column ${needed - 1} is mapped but rows have ${width} fields`,
        );
      }
      if (hasHeader) continue;
    }
    if (record.fields.length !== width) {
      report(record.line, `expected ${width} fields, found ${record.fields.length}`);
      continue;
    }
    const source = record.fields[sourceIndex] as string;
    const target = record.fields[targetIndex] as string;
    if (isEmptyPair(source, target)) {
      report(record.line, "source and target are both empty");
      continue;
    }
    result.examples.push({ source, target, line: record.line });
  }
}

/** A short human-readable account of malformed rows, naming up to `max` line numbers. */
export function describeMalformed(result: ReadPairsResult, max = 10): string {
  const { malformed, file } = result;
  if (malformed.length === 0) return `${file}: ${result.examples.length} rows, none malformed`;
  const shown = malformed.slice(0, max).map((m) => `  line ${m.line}: ${m.reason}`);
  const more = malformed.length > max ? [`  … and ${malformed.length - max} more`] : [];
  return [`${file}: ${result.examples.length} rows read, ${malformed.length} malformed:`, ...shown, ...more].join("\n");
}
