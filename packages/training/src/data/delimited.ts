/** One record of a delimited file, or why it could not be read; `line` is where the record starts (1-based). */
export type DelimitedRecord = { line: number; fields: string[] } | { line: number; error: string };

/**
 * Splits CSV text per RFC 4180: fields separated by `delimiter`, optionally in double quotes, `""` for a quote
 * inside quotes, quoted fields may span lines, CRLF or LF line ends. A malformed record is reported with its
 * starting line and reading resumes at the next line. Blank lines are skipped.
 */
export function* parseCsv(text: string, delimiter = ","): Generator<DelimitedRecord> {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] === "\n")) {
      i += text[i] === "\r" ? 2 : 1;
      line += 1;
      continue;
    }
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let value = "";
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < n) {
          const c = text[i] as string;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (c === "\n") line += 1;
          value += c;
          i += 1;
        }
        if (!closed) {
          error = "quoted field is not closed before the end of the file";
          break;
        }
        if (i < n && text[i] !== delimiter && !atLineEnd(text, i)) {
          error = `unexpected ${JSON.stringify(text[i])} after a closing quote (quotes inside a field must be doubled)`;
          break;
        }
      } else {
        while (i < n && text[i] !== delimiter && !atLineEnd(text, i)) {
          if (text[i] === '"') {
            error = "a quote inside an unquoted field (quote the whole field and double the quote)";
            break;
          }
          value += text[i];
          i += 1;
        }
        if (error !== undefined) break;
      }
      fields.push(value);
      if (i < n && text[i] === delimiter) {
        i += 1;
        continue;
      }
      break;
    }
    if (error !== undefined) {
      yield { line: start, error };
      while (i < n && text[i] !== "\n") i += 1;
    } else {
      yield { line: start, fields };
    }
    if (i < n) {
      i += text[i] === "\r" ? 2 : 1;
      line += 1;
    }
  }
}

function atLineEnd(text: string, i: number): boolean {
  return text[i] === "\n" || (text[i] === "\r" && text[i + 1] === "\n");
}

/**
 * Splits TSV text: one record per line, fields separated by tabs, no quoting (quotes are ordinary characters,
 * as in the IANA text/tab-separated-values format and the WikiSplit files). Blank lines are skipped.
 */
export function* parseTsv(text: string): Generator<DelimitedRecord> {
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k] as string;
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (content.length === 0) continue;
    yield { line: k + 1, fields: content.split("\t") };
  }
}
