// The reference metrics are Python; `str.split()` and `str.rstrip()` use Python's notion of whitespace
// (`str.isspace`), which differs from JavaScript's `\s`: Python includes U+001C..U+001F and U+0085,
// JavaScript includes U+FEFF. Tokenizers must split exactly where Python does.
const PY_SPACE_CLASS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE_CLASS}]+`);
const PY_TRAILING_SPACE = new RegExp(`[${PY_SPACE_CLASS}]+$`);
const PY_EDGE_SPACE = new RegExp(`^[${PY_SPACE_CLASS}]+|[${PY_SPACE_CLASS}]+$`, "g");

/** Python's `s.split()`: split on runs of whitespace, dropping empty pieces at either end. */
export function pySplit(text: string): string[] {
  const trimmed = text.replace(PY_EDGE_SPACE, "");
  return trimmed === "" ? [] : trimmed.split(PY_SPACE_RUN);
}

/** Python's `s.rstrip()`. */
export function pyRstrip(text: string): string {
  return text.replace(PY_TRAILING_SPACE, "");
}

/** Python's `" ".join(s.split())`: collapse whitespace runs to one space and trim. */
export function pyCollapseSpaces(text: string): string {
  return pySplit(text).join(" ");
}
