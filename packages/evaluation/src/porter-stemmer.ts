/**
 * The Porter (1980) suffix-stripping stemmer, ported from NLTK's `nltk.stem.porter.PorterStemmer`
 * (NLTK >= 3.2.2, the rule-list rewrite) so that ROUGE with `useStemmer` matches Google's
 * `rouge_score`, which calls `porter.PorterStemmer()` with its default mode, NLTK_EXTENSIONS.
 *
 * The three modes of NLTK are kept because their differences are small and documented there:
 * - ORIGINAL_ALGORITHM: the published paper;
 * - MARTIN_EXTENSIONS: Martin Porter's own later implementations (e.g. `bli` -> `ble`, `logi` -> `log`);
 * - NLTK_EXTENSIONS (default): those plus NLTK's irregular-form table, `ies`/`ied` on 4-letter words,
 *   the `(*c and not c) Y -> I` rule, `alli` before `bli`, `fulli`, and the 2-letter `*o` condition.
 *
 * Like NLTK it works per UTF-16 code unit, which is exact for the lower-case ASCII tokens ROUGE feeds it.
 */

export type PorterMode = "NLTK_EXTENSIONS" | "MARTIN_EXTENSIONS" | "ORIGINAL_ALGORITHM";

type Condition = ((stem: string) => boolean) | null;
/** [suffix, replacement, condition on the stem left after removing the suffix]; "*d" = double consonant. */
type Rule = readonly [string, string, Condition];

// NLTK_EXTENSIONS only: forms that Martin Porter was told stem badly, mapped straight to a paradigm form.
const IRREGULAR_FORMS: Readonly<Record<string, readonly string[]>> = {
  sky: ["sky", "skies"],
  die: ["dying"],
  lie: ["lying"],
  tie: ["tying"],
  news: ["news"],
  inning: ["innings", "inning"],
  outing: ["outings", "outing"],
  canning: ["cannings", "canning"],
  howe: ["howe"],
  proceed: ["proceed"],
  exceed: ["exceed"],
  succeed: ["succeed"],
};

const IRREGULAR_POOL: ReadonlyMap<string, string> = new Map(
  Object.entries(IRREGULAR_FORMS).flatMap(([paradigm, forms]) => forms.map((form) => [form, paradigm] as const)),
);

function isVowelLetter(ch: string): boolean {
  return ch === "a" || ch === "e" || ch === "i" || ch === "o" || ch === "u";
}

/**
 * Consonant flags for every position. NLTK recurses for `y` (consonant iff the previous letter is a
 * vowel, or it is first); one left-to-right pass gives the same answer without deep recursion on long
 * runs of `y`.
 */
function consonantFlags(word: string): boolean[] {
  const flags = new Array<boolean>(word.length);
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] as string;
    if (isVowelLetter(ch)) flags[i] = false;
    else if (ch === "y") flags[i] = i === 0 ? true : !flags[i - 1];
    else flags[i] = true;
  }
  return flags;
}

function isConsonant(word: string, i: number): boolean {
  return consonantFlags(word.slice(0, i + 1))[i] as boolean;
}

/** Porter's m: the number of vowel-sequence/consonant-sequence pairs, i.e. "vc" boundaries. */
export function porterMeasure(stem: string): number {
  const flags = consonantFlags(stem);
  let m = 0;
  for (let i = 0; i + 1 < flags.length; i++) if (!flags[i] && flags[i + 1]) m++;
  return m;
}

function containsVowel(stem: string): boolean {
  return consonantFlags(stem).some((c) => !c);
}

function endsDoubleConsonant(word: string): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

function replaceSuffix(word: string, suffix: string, replacement: string): string {
  return word.slice(0, word.length - suffix.length) + replacement;
}

export class PorterStemmer {
  readonly mode: PorterMode;

  constructor(mode: PorterMode = "NLTK_EXTENSIONS") {
    this.mode = mode;
  }

  /** Condition *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
  private endsCvc(word: string): boolean {
    const n = word.length;
    if (n >= 3) {
      const flags = consonantFlags(word);
      const last = word[n - 1] as string;
      if (flags[n - 3] && !flags[n - 2] && flags[n - 1] && last !== "w" && last !== "x" && last !== "y") return true;
    }
    // NLTK extension: a two-letter vowel-consonant stem also counts, so "are", "ice", "use" keep their e.
    if (this.mode === "NLTK_EXTENSIONS" && n === 2) {
      const flags = consonantFlags(word);
      return !flags[0] && (flags[1] as boolean);
    }
    return false;
  }

  /** The first rule whose suffix matches decides: applied if its condition holds, otherwise the word stays. */
  private applyRuleList(word: string, rules: readonly Rule[]): string {
    for (const [suffix, replacement, condition] of rules) {
      if (suffix === "*d" && endsDoubleConsonant(word)) {
        const stem = word.slice(0, -2);
        return condition === null || condition(stem) ? stem + replacement : word;
      }
      if (word.endsWith(suffix)) {
        const stem = replaceSuffix(word, suffix, "");
        return condition === null || condition(stem) ? stem + replacement : word;
      }
    }
    return word;
  }

  private step1a(word: string): string {
    // NLTK: "dies" -> "die" rather than "di", while "flies" -> "fli".
    if (this.mode === "NLTK_EXTENSIONS" && word.endsWith("ies") && word.length === 4) {
      return replaceSuffix(word, "ies", "ie");
    }
    return this.applyRuleList(word, [
      ["sses", "ss", null],
      ["ies", "i", null],
      ["ss", "ss", null],
      ["s", "", null],
    ]);
  }

  private step1b(word: string): string {
    // NLTK: "died" -> "die", "spied" -> "spi".
    if (this.mode === "NLTK_EXTENSIONS" && word.endsWith("ied")) {
      return replaceSuffix(word, "ied", word.length === 4 ? "ie" : "i");
    }
    if (word.endsWith("eed")) {
      const stem = replaceSuffix(word, "eed", "");
      return porterMeasure(stem) > 0 ? stem + "ee" : word;
    }
    let intermediate: string | undefined;
    for (const suffix of ["ed", "ing"]) {
      if (word.endsWith(suffix)) {
        const candidate = replaceSuffix(word, suffix, "");
        if (containsVowel(candidate)) {
          intermediate = candidate;
          break;
        }
      }
    }
    if (intermediate === undefined) return word;
    const last = intermediate[intermediate.length - 1] as string;
    return this.applyRuleList(intermediate, [
      ["at", "ate", null],
      ["bl", "ble", null],
      ["iz", "ize", null],
      ["*d", last, () => last !== "l" && last !== "s" && last !== "z"],
      ["", "e", (stem) => porterMeasure(stem) === 1 && this.endsCvc(stem)],
    ]);
  }

  private step1c(word: string): string {
    const condition =
      this.mode === "NLTK_EXTENSIONS"
        ? (stem: string) => stem.length > 1 && isConsonant(stem, stem.length - 1)
        : containsVowel;
    return this.applyRuleList(word, [["y", "i", condition]]);
  }

  private step2(word: string): string {
    const positive = (stem: string) => porterMeasure(stem) > 0;
    if (this.mode === "NLTK_EXTENSIONS" && word.endsWith("alli") && positive(replaceSuffix(word, "alli", ""))) {
      return this.step2(replaceSuffix(word, "alli", "al"));
    }
    const rules: Rule[] = [
      ["ational", "ate", positive],
      ["tional", "tion", positive],
      ["enci", "ence", positive],
      ["anci", "ance", positive],
      ["izer", "ize", positive],
      this.mode === "ORIGINAL_ALGORITHM" ? ["abli", "able", positive] : ["bli", "ble", positive],
      ["alli", "al", positive],
      ["entli", "ent", positive],
      ["eli", "e", positive],
      ["ousli", "ous", positive],
      ["ization", "ize", positive],
      ["ation", "ate", positive],
      ["ator", "ate", positive],
      ["alism", "al", positive],
      ["iveness", "ive", positive],
      ["fulness", "ful", positive],
      ["ousness", "ous", positive],
      ["aliti", "al", positive],
      ["iviti", "ive", positive],
      ["biliti", "ble", positive],
    ];
    if (this.mode === "NLTK_EXTENSIONS") {
      rules.push(["fulli", "ful", positive]);
      // The l of logi stays with the stem, so short stems such as geo- and theo- qualify.
      rules.push(["logi", "log", () => positive(word.slice(0, -3))]);
    } else if (this.mode === "MARTIN_EXTENSIONS") {
      rules.push(["logi", "log", positive]);
    }
    return this.applyRuleList(word, rules);
  }

  private step3(word: string): string {
    const positive = (stem: string) => porterMeasure(stem) > 0;
    return this.applyRuleList(word, [
      ["icate", "ic", positive],
      ["ative", "", positive],
      ["alize", "al", positive],
      ["iciti", "ic", positive],
      ["ical", "ic", positive],
      ["ful", "", positive],
      ["ness", "", positive],
    ]);
  }

  private step4(word: string): string {
    const gt1 = (stem: string) => porterMeasure(stem) > 1;
    return this.applyRuleList(word, [
      ["al", "", gt1],
      ["ance", "", gt1],
      ["ence", "", gt1],
      ["er", "", gt1],
      ["ic", "", gt1],
      ["able", "", gt1],
      ["ible", "", gt1],
      ["ant", "", gt1],
      ["ement", "", gt1],
      ["ment", "", gt1],
      ["ent", "", gt1],
      ["ion", "", (stem) => gt1(stem) && (stem.endsWith("s") || stem.endsWith("t"))],
      ["ou", "", gt1],
      ["ism", "", gt1],
      ["ate", "", gt1],
      ["iti", "", gt1],
      ["ous", "", gt1],
      ["ive", "", gt1],
      ["ize", "", gt1],
    ]);
  }

  private step5a(word: string): string {
    // Both rules share the suffix e and both conditions are tried, so no rule list here.
    if (word.endsWith("e")) {
      const stem = word.slice(0, -1);
      const m = porterMeasure(stem);
      if (m > 1) return stem;
      if (m === 1 && !this.endsCvc(stem)) return stem;
    }
    return word;
  }

  private step5b(word: string): string {
    return this.applyRuleList(word, [["ll", "l", () => porterMeasure(word.slice(0, -1)) > 1]]);
  }

  /** Stems one word; like NLTK, lower-cases it first unless `toLowercase` is false. */
  stem(word: string, toLowercase = true): string {
    let stem = toLowercase ? word.toLowerCase() : word;
    if (this.mode === "NLTK_EXTENSIONS") {
      const irregular = IRREGULAR_POOL.get(word);
      if (irregular !== undefined) return irregular;
    }
    // Words of one or two letters are left alone except in the original algorithm.
    if (this.mode !== "ORIGINAL_ALGORITHM" && word.length <= 2) return stem;
    stem = this.step1a(stem);
    stem = this.step1b(stem);
    stem = this.step1c(stem);
    stem = this.step2(stem);
    stem = this.step3(stem);
    stem = this.step4(stem);
    stem = this.step5a(stem);
    stem = this.step5b(stem);
    return stem;
  }
}
