/**
 * Exact match as Hugging Face `evaluate`'s `exact_match`: the fraction (0-1) of predictions equal to their
 * reference after optional normalization, applied in this order: removing every match of each pattern in
 * `regexesToIgnore`, lower-casing, deleting ASCII punctuation (Python's `string.punctuation`), deleting
 * ASCII digits. A pair that normalization empties counts as a match only if the original strings were
 * identical (the current Hugging Face rule).
 */
import { EvaluationError } from "./errors.js";
import { assertNonEmpty, assertOptionalBoolean, assertSameLength, assertStringArray } from "./validate.js";

export interface ExactMatchOptions {
  /** Patterns removed (all matches) before the other normalizations; strings are compiled as JavaScript regexes. */
  regexesToIgnore?: readonly (string | RegExp)[];
  ignoreCase?: boolean;
  ignorePunctuation?: boolean;
  ignoreNumbers?: boolean;
}

export interface ExactMatchResult {
  /** Fraction of exact matches, in [0, 1]. */
  exactMatch: number;
}

const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const ASCII_DIGITS = /[0-9]/g;

/** Builds the normalizer once for a set of options. */
export function exactMatchNormalizer(options: ExactMatchOptions): (text: string) => string {
  assertOptionalBoolean(options.ignoreCase, "options.ignoreCase");
  assertOptionalBoolean(options.ignorePunctuation, "options.ignorePunctuation");
  assertOptionalBoolean(options.ignoreNumbers, "options.ignoreNumbers");
  const patterns = (options.regexesToIgnore ?? []).map((p, i) => {
    if (p instanceof RegExp) return new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`);
    if (typeof p === "string") {
      try {
        return new RegExp(p, "g");
      } catch (cause) {
        throw new EvaluationError(
          "INVALID_OPTION",
          `options.regexesToIgnore[${i}] is not a valid regular expression: ${(cause as Error).message}`,
          { argument: "options.regexesToIgnore", index: i },
        );
      }
    }
    throw new EvaluationError("INVALID_OPTION", `options.regexesToIgnore[${i}] must be a string or RegExp`, {
      argument: "options.regexesToIgnore",
      index: i,
    });
  });
  return (text) => {
    let s = text;
    for (const p of patterns) s = s.replace(p, "");
    if (options.ignoreCase === true) s = s.toLowerCase();
    if (options.ignorePunctuation === true) s = s.replace(ASCII_PUNCTUATION, "");
    if (options.ignoreNumbers === true) s = s.replace(ASCII_DIGITS, "");
    return s;
  };
}

/** Whether one pair matches under a normalizer. */
export function isExactMatch(prediction: string, reference: string, normalize: (text: string) => string): boolean {
  const p = normalize(prediction);
  return p === normalize(reference) && (p !== "" || prediction === reference);
}

export function exactMatch(
  predictions: readonly string[],
  references: readonly string[],
  options: ExactMatchOptions = {},
): ExactMatchResult {
  assertStringArray(predictions, "predictions");
  assertStringArray(references, "references");
  assertSameLength({ predictions, references });
  assertNonEmpty(predictions.length, "predictions");
  const normalize = exactMatchNormalizer(options);
  let matches = 0;
  for (let i = 0; i < predictions.length; i++) {
    if (isExactMatch(predictions[i] as string, references[i] as string, normalize)) matches++;
  }
  return { exactMatch: matches / predictions.length };
}
