// Every measured figure quoted in a README or docs page must come from a committed results file
// (benchmarks/results/*.json). The convention ("Quoting a figure" in benchmarks/README.md): the number is
// followed, before any other number, by an HTML comment naming the file and the JSON path of the value,
//
//   BERT-base forward runs at 31 tokens/s <!-- figure: benchmarks/results/engine.json rows[id=encoder-128].warmstart -->
//
// and the printed number must equal the value rounded to the decimals printed. An optional scale after the
// path (`*100` for a share printed as a percentage, `/1000` for a figure printed with `k`) is applied first.
// This module finds the figures (numbers with a unit of speed, time, memory, a ratio or a metric score),
// reads the references and checks both; figures.test.ts runs it over the repository's pages.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Where a figure is quoted, for messages: `README.md:90`. */
export interface Place {
  file: string;
  line: number;
}

export interface Problem extends Place {
  message: string;
}

/** A number not measured (a limit, a test input size, the paper's published score), allowed without a reference. */
export interface AllowedFigure {
  /** Page path relative to the repository root. */
  file: string;
  /** The figure as detected (e.g. `10 MB`), or omitted to allow every figure on lines containing `lineContains`. */
  figure?: string;
  /** Allow every figure on the lines of `file` that contain this text. */
  lineContains?: string;
  /** Allow every figure in the file (a page that only quotes published scores). */
  wholeFile?: true;
  reason: string;
}

export const HOW_TO_REFERENCE =
  "put `<!-- figure: benchmarks/results/<file>.json <json.path> -->` right after the number (before any other " +
  "number on the line), e.g. `31 tokens/s <!-- figure: benchmarks/results/engine.json rows[id=encoder-128].warmstart -->`; " +
  "path segments are keys, `[3]` indexes, `[id=beam-search]` picks the array element whose `id` is `beam-search`; " +
  "append `*100` or `/1000` when the number is printed as a percentage or with `k`. The printed number must equal " +
  "the value rounded to the decimals printed; a figure from a file marked `stale: true` needs the word 'stale' on " +
  "its line. If the number is not a measurement (a limit, a config size, the paper's score), add it with a reason " +
  "to ALLOWED_FIGURES in apps/docs/src/figures-allowed.ts; if no committed results file holds it, remove it " +
  "(see 'Quoting a figure' in benchmarks/README.md)";

// A number as printed: digits with thousands commas, decimals, and an optional k / x / % suffix. Digits that
// belong to a word (ROUGE-2, BERT2BERT, s128, UTF-16, 2^53) are not numbers.
const NUMBER = /(?<![A-Za-z_^]-|[A-Za-z0-9_.^])(\d(?:[\d,]*\d)?)(\.\d+)?(k|x|×|%)?(?![A-Za-z0-9_])/g;
const NUM = String.raw`~?\d[\d,]*(?:\.\d+)?k?`;
const RANGE = String.raw`${NUM}(?:\s*(?:-|–|to)\s*${NUM})?`;
const MODELS = String.raw`(?:Rnd2Rnd|BERT2Rnd|Rnd2BERT|BERT2BERT|BERTShare|BERT2GPT2|RoBERTaShare|RoBERTa2GPT2|Rnd2GPT2)`;

/** Numbers followed or preceded by what makes them a measurement. */
const FIGURE_PATTERNS: RegExp[] = [
  new RegExp(
    String.raw`${RANGE}\s*(?:tokens|sentences|pairs|examples|requests|items|samples)\s*(?:/\s*s\b|per\s+s(?:econd)?\b)`,
    "gi",
  ),
  new RegExp(String.raw`${RANGE}\s*[GMT]FLOP/s`, "g"),
  new RegExp(String.raw`${RANGE}\s*(?:ms|s|sec|seconds?|minutes?|min|hours?)(?![A-Za-z0-9_])`, "g"),
  new RegExp(String.raw`${RANGE}\s*(?:KB|MB|GB|TB|KiB|MiB|GiB|TiB)(?![A-Za-z0-9_])`, "g"),
  // Shares (of a profile, of the time): measured unless the allow-list says it is a setting.
  new RegExp(String.raw`${RANGE}\s?%`, "g"),
  new RegExp(String.raw`(?<![A-Za-z0-9_.])${NUM}(?:\s*(?:-|–)\s*${NUM})?[x×](?![A-Za-z0-9_])`, "g"),
  new RegExp(
    String.raw`\b(?:SARI|BLEU|ROUGE(?:-?(?:1|2|L|Lsum))?|exact[- ]match)\b(?:\s*(?:of|=|:|score))?\s*\(?${RANGE}`,
    "gi",
  ),
  new RegExp(String.raw`\b${MODELS}\b\s*\(?\s*\d+\.\d+(?:\s*/\s*\d+\.\d+)?`, "g"),
];

/** Table columns or rows whose numbers are figures: the header cell or the row's first cell names a unit or metric. */
const UNIT_WORDS =
  /tokens\/s|sentences\/s|FLOP\/s|\bms\b|s\/step|\(s\)|seconds|minutes|\bSARI\b|\bBLEU\b|ROUGE|exact match|\bratios?\b|x PyTorch|vs PyTorch|\/ PyTorch|throughput|\bMB\b|\bGB\b|MiB|GiB/i;

interface NumberToken {
  start: number;
  end: number;
  text: string;
}

interface FigureComment {
  start: number;
  file: string;
  path: string;
  scale: number;
}

function numbers(text: string): NumberToken[] {
  return [...text.matchAll(NUMBER)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
}

/** Blank a span, keeping offsets: code spans and link targets hold no figures. */
function blank(text: string, re: RegExp): string {
  return text.replace(re, (m) => " ".repeat(m.length));
}

const COMMENT = /<!--\s*figure:\s*(\S+)\s+(\S+)(?:\s+([*/])\s*(\d+(?:\.\d+)?))?\s*-->/g;
const ANY_COMMENT = /<!--[\s\S]*?-->/g;

/** The lines of a page worth scanning, with fenced code blocks (code, not prose) left out. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.split("\n").forEach((text, i) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(text);
    if (open) {
      const marker = open[1] as string;
      if (fence === null) fence = marker;
      else if (marker.startsWith(fence)) fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text });
  });
  return out;
}

function tableFigureSpans(text: string, header: string[] | null): [number, number][] {
  if (header === null || !text.trimStart().startsWith("|")) return [];
  const spans: [number, number][] = [];
  const cells: [number, number][] = [];
  let start = text.indexOf("|") + 1;
  for (let i = start; i <= text.length; i++) {
    if (i === text.length || (text[i] === "|" && text[i - 1] !== "\\")) {
      if (i > start || i < text.length) cells.push([start, i]);
      start = i + 1;
    }
  }
  const first = cells[0] ? text.slice(cells[0][0], cells[0][1]) : "";
  cells.forEach(([from, to], column) => {
    if (column === 0) return;
    if (UNIT_WORDS.test(header[column] ?? "") || UNIT_WORDS.test(first)) spans.push([from, to]);
  });
  return spans;
}

function splitCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Reads `rows[id=encoder-128].ratio_vs_pytorch` out of a parsed JSON value. */
export function readJsonPath(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const segment of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (segment.startsWith("[")) {
      const inner = segment.slice(1, -1);
      if (!Array.isArray(value)) throw new Error(`'${segment}' in '${path}': not an array there`);
      const eq = inner.indexOf("=");
      if (eq < 0) {
        value = value[Number(inner)];
      } else {
        const key = inner.slice(0, eq);
        const want = inner.slice(eq + 1);
        value = value.find(
          (e: unknown) => typeof e === "object" && e !== null && String((e as Record<string, unknown>)[key]) === want,
        );
      }
    } else {
      if (typeof value !== "object" || value === null) {
        throw new Error(`'${segment}' in '${path}': not an object there`);
      }
      value = (value as Record<string, unknown>)[segment];
    }
    if (value === undefined) throw new Error(`'${path}' has no value at '${segment}'`);
  }
  return value;
}

// A number right after one of these states a setting or a limit, not a measurement: `default 60 s`,
// `every 250 ms`, `up to 16 s`, `` `--duration`/3 s ``.
const SETTING_BEFORE = /(?:\bdefault|\bevery|\bat most|\bup to|\blimit(?:ed)? (?:to|of)|\btimeout|`--[\w-]+`)\W{0,3}$/i;

/** Whether the number at `offset` of `line` is introduced as a setting or a limit. */
export function isSetting(line: string, offset: number): boolean {
  return SETTING_BEFORE.test(line.slice(Math.max(0, offset - 40), offset));
}

/** Whether `text` holds `figure` as a whole number: `9 minutes` is in `under 9 minutes`, not in `19 minutes`. */
export function containsFigure(text: string, figure: string): boolean {
  const escaped = figure.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\d.,])${escaped}(?![\\d])`).test(text);
}

/** Whether `printed` (e.g. `0.66x`, `2,377`, `10k`) is `value` rounded to the decimals printed. */
export function printedMatches(printed: string, value: number): boolean {
  const digits = printed
    .replace(/^~/, "")
    .replace(/[kx×%]$/, "")
    .replace(/,/g, "");
  const decimals = digits.includes(".") ? (digits.split(".")[1] as string).length : 0;
  return Number(digits) === Number(value.toFixed(decimals));
}

export interface ResultsFile {
  stale: boolean;
  data: unknown;
}

export interface ScanOptions {
  allowed: AllowedFigure[];
  /** Results files by repository-relative path, already parsed. */
  results: Map<string, ResultsFile>;
}

/** Checks one page: every figure referenced, every reference matching its results file. */
export function checkPage(file: string, markdown: string, options: ScanOptions): Problem[] {
  const problems: Problem[] = [];
  const allowedHere = options.allowed.filter((a) => a.file === file);
  if (allowedHere.some((a) => a.wholeFile)) return problems;
  let header: string[] | null = null;
  for (const { line, text: raw } of proseLines(markdown)) {
    const trimmed = raw.trim();
    if (!trimmed.startsWith("|")) header = null;
    else if (header === null) {
      header = splitCells(trimmed);
      continue; // the header row names columns; its numbers are labels
    }
    if (/^\|?\s*:?-{3,}/.test(trimmed)) continue;
    const comments: FigureComment[] = [...raw.matchAll(COMMENT)].map((m) => ({
      start: m.index,
      file: m[1] as string,
      path: m[2] as string,
      scale: m[3] === "/" ? 1 / Number(m[4]) : m[3] === "*" ? Number(m[4]) : 1,
    }));
    // Offsets are kept: comments, code spans and link targets are blanked, not removed.
    const text = blank(blank(blank(raw, ANY_COMMENT), /`[^`]*`/g), /\]\([^)]*\)/g);
    const tokens = numbers(text);
    const lineAllowed = allowedHere.some((a) => a.lineContains !== undefined && raw.includes(a.lineContains));
    const stale: string[] = [];
    // The number each reference belongs to: the last one printed before it.
    const referenced = new Set<NumberToken>();
    for (const comment of comments) {
      const token = tokens.filter((t) => t.end <= comment.start).at(-1);
      const where = `${file}:${line}`;
      if (token === undefined) {
        problems.push({
          file,
          line,
          message: `${where}: a figure reference with no number before it (${comment.file} ${comment.path})`,
        });
        continue;
      }
      referenced.add(token);
      const results = options.results.get(comment.file);
      if (results === undefined) {
        problems.push({
          file,
          line,
          message: `${where}: ${token.text} refers to ${comment.file}, which is not a committed results file (benchmarks/results/*.json)`,
        });
        continue;
      }
      let value: unknown;
      try {
        value = readJsonPath(results.data, comment.path);
      } catch (error) {
        problems.push({
          file,
          line,
          message: `${where}: ${token.text} refers to ${comment.file} ${comment.path}: ${(error as Error).message}`,
        });
        continue;
      }
      if (typeof value !== "number") {
        problems.push({
          file,
          line,
          message: `${where}: ${comment.file} ${comment.path} is ${JSON.stringify(value)}, not a number`,
        });
        continue;
      }
      if (!printedMatches(token.text, value * comment.scale)) {
        problems.push({
          file,
          line,
          message: `${where}: prints ${token.text} but ${comment.file} ${comment.path}${comment.scale === 1 ? "" : ` (scaled ${comment.scale})`} is ${value * comment.scale}`,
        });
      }
      if (results.stale) stale.push(comment.file);
    }
    if (stale.length > 0 && !/\bstale\b/i.test(text)) {
      problems.push({
        file,
        line,
        message: `${file}:${line}: quotes a figure from ${[...new Set(stale)].join(", ")}, marked stale there (see its staleReason): say 'stale' on the line, re-measure, or remove the figure`,
      });
    }
    // The figures on the line: numbers inside a figure pattern, or in a table cell under a unit or metric.
    const spans: [number, number, string][] = [];
    for (const pattern of FIGURE_PATTERNS) {
      for (const m of text.matchAll(pattern)) spans.push([m.index, m.index + m[0].length, m[0].trim()]);
    }
    for (const [from, to] of tableFigureSpans(text, header)) spans.push([from, to, text.slice(from, to).trim()]);
    for (const token of tokens) {
      if (referenced.has(token)) continue;
      const span = spans.find(([from, to]) => token.start >= from && token.end <= to);
      if (span === undefined || lineAllowed || isSetting(raw, token.start)) continue;
      if (allowedHere.some((a) => a.figure !== undefined && containsFigure(span[2], a.figure))) continue;
      problems.push({
        file,
        line,
        message: `${file}:${line}: '${span[2]}' quotes ${token.text} with no figure reference: ${HOW_TO_REFERENCE}`,
      });
    }
  }
  return problems;
}

/** The pages whose figures are checked: READMEs and the hand-written docs (not the generated ones). */
export function figurePages(repo: string): string[] {
  const pages = ["README.md", "apps/cli/README.md", "benchmarks/README.md"];
  for (const dir of readdirSync(join(repo, "packages"))) {
    if (existsSync(join(repo, "packages", dir, "README.md"))) pages.push(`packages/${dir}/README.md`);
  }
  const docs = join(repo, "apps/docs/docs");
  // docs/api comes from TypeDoc and docs/reference/cli.md from --help: both are generated from the code.
  const generated = new Set([join(docs, "api"), join(docs, "reference", "cli.md")]);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith(".") || entry.name === "public" || generated.has(path)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) pages.push(relative(repo, path));
    }
  };
  walk(docs);
  return pages.sort();
}

/** Provenance every results file must carry, so a figure says when, where and at what commit it was measured. */
export function checkResultsFile(file: string, data: unknown): Problem[] {
  const problems: Problem[] = [];
  const say = (message: string) => problems.push({ file, line: 1, message: `${file}: ${message}` });
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    say("expected a JSON object");
    return problems;
  }
  const record = data as Record<string, unknown>;
  const p = record.provenance as Record<string, unknown> | undefined;
  const expected =
    'a "provenance" object: { "commit": "<git hash measured>", "commitSource": "<how the commit is known>", "date": "<ISO date>", ' +
    '"machine": { "cpuModel": "<os.cpus()[0].model>", "cores": <os.cpus().length> }, "loadavg": [1m, 5m, 15m] or "unknown" }';
  if (typeof p !== "object" || p === null) {
    say(`expected ${expected}`);
  } else {
    if (typeof p.commit !== "string" || !/^[0-9a-f]{7,40}$/.test(p.commit)) {
      say(`provenance.commit: expected a git hash, got ${JSON.stringify(p.commit)}`);
    }
    if (typeof p.commitSource !== "string" || p.commitSource === "") {
      say(`provenance.commitSource: expected how the commit is known (the run recorded it, or git log)`);
    }
    if (typeof p.date !== "string" || Number.isNaN(Date.parse(p.date))) {
      say(`provenance.date: expected an ISO date, got ${JSON.stringify(p.date)}`);
    }
    const machine = p.machine as Record<string, unknown> | undefined;
    if (typeof machine !== "object" || machine === null) {
      say(`provenance.machine: expected { cpuModel, cores }`);
    } else {
      if (typeof machine.cpuModel !== "string" || machine.cpuModel === "") {
        say(`provenance.machine.cpuModel: expected the CPU model (or "unknown")`);
      }
      if (!(Number.isInteger(machine.cores) && (machine.cores as number) > 0) && machine.cores !== "unknown") {
        say(`provenance.machine.cores: expected a positive integer or "unknown", got ${JSON.stringify(machine.cores)}`);
      }
    }
    const load = p.loadavg;
    const loadOk =
      load === "unknown" || (Array.isArray(load) && load.length === 3 && load.every((x) => typeof x === "number"));
    if (!loadOk) {
      say(
        `provenance.loadavg: expected [1m, 5m, 15m] (os.loadavg() before the run) or "unknown", got ${JSON.stringify(load)}`,
      );
    }
  }
  if (record.stale !== undefined && typeof record.stale !== "boolean") say(`stale: expected true or false`);
  if (record.stale === true && (typeof record.staleReason !== "string" || record.staleReason === "")) {
    say(`stale is true but staleReason does not say why`);
  }
  return problems;
}

/** benchmarks/results/*.json, parsed. */
export function loadResults(repo: string): Map<string, ResultsFile> {
  const dir = join(repo, "benchmarks/results");
  const out = new Map<string, ResultsFile>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const file = `benchmarks/results/${name}`;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch (error) {
      throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
    }
    out.set(file, { stale: (data as { stale?: unknown }).stale === true, data });
  }
  return out;
}
