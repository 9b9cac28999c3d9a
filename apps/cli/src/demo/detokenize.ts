/** Tokens after which no space follows. */
const NO_SPACE_AFTER = new Set(["(", "[", "{", "$", "``"]);
/** Tokens before which no space goes. */
const NO_SPACE_BEFORE = new Set([
  ",",
  ".",
  ";",
  ":",
  "?",
  "!",
  ")",
  "]",
  "}",
  "''",
  "%",
  "'s",
  "'",
  "n't",
  "'re",
  "'ve",
  "'ll",
  "'d",
  "'m",
]);

/**
 * Brown's tokens back to running text: punctuation attached, `` and '' as straight double quotes. The corpus
 * splits little (possessives stay on the word), so these few rules cover it.
 */
export function detokenize(tokens: readonly string[]): string {
  let out = "";
  let glue = true;
  for (const token of tokens) {
    const text = token === "``" || token === "''" ? '"' : token;
    if (!glue && !NO_SPACE_BEFORE.has(token)) out += " ";
    out += text;
    glue = NO_SPACE_AFTER.has(token);
  }
  return out;
}

/** Upper-cases the first letter (the start of a new sentence after a split). */
export function capitalise(token: string): string {
  return token.charAt(0).toUpperCase() + token.slice(1);
}
