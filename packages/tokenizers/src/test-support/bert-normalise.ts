// An independent statement of what uncased BERT's pipeline keeps of a text (BasicTokenizer in
// transformers): clean control characters, space out CJK ideographs, lower-case, strip accents,
// split off punctuation, and rejoin the pieces with single spaces, which is what decode gives back.

function isControl(char: string): boolean {
  if (char === "\t" || char === "\n" || char === "\r") return false;
  return /\p{Cc}|\p{Cf}/u.test(char);
}

function isPunctuation(char: string): boolean {
  const code = char.codePointAt(0) as number;
  if (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  ) {
    return true;
  }
  return /\p{P}/u.test(char);
}

function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

export function bertUncasedNormalise(text: string): string {
  let cleaned = "";
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code === 0 || code === 0xfffd || isControl(char)) continue;
    if (/\s/u.test(char)) cleaned += " ";
    else if (isCjk(code)) cleaned += ` ${char} `;
    else cleaned += char;
  }
  // Per code point, as the Rust normaliser does: no final-sigma rule (String#toLowerCase has one).
  const lowered = Array.from(cleaned, (char) => char.toLowerCase()).join("");
  const folded = lowered.normalize("NFD").replace(/\p{Mn}/gu, "");
  const pieces: string[] = [];
  for (const word of folded.split(/\s+/u)) {
    let current = "";
    for (const char of word) {
      if (isPunctuation(char)) {
        if (current !== "") pieces.push(current);
        pieces.push(char);
        current = "";
      } else {
        current += char;
      }
    }
    if (current !== "") pieces.push(current);
  }
  return pieces.join(" ");
}
