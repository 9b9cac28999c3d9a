// Texts for the pure-JS ↔ native parity test: written cases for each known trap (Unicode case mapping, accents,
// CJK blocks, emoji sequences, control and format characters, whitespace runs, special-token strings inside text,
// words past WordPiece's 100-character limit), then seeded random mixes of all of them.
import { SeededRandom } from "@warmstart/core";

const WRITTEN: readonly string[] = [
  "",
  " ",
  "   ",
  "\t\n\r",
  "Hello, world!",
  "Warm-starting encoder-decoder models from pretrained checkpoints.",
  "The quick brown fox jumps over the lazy dog.",
  "THE QUICK BROWN FOX, IN CAPITALS.",
  "don't can't won't I'm you're they've we'll she'd it's",
  'She said: "it\'s fine" — and left…',
  "Prices: $3.50, €4,99, £1,000.00, ¥500 and 12% off.",
  "Numbers 0 1 12 123 1234 12345 3.14159 -42 1e-9 0x1F 1,234,567",
  "Dates 2024-01-31, 31/01/2024, 10:45:00Z and 1st 2nd 3rd 4th.",
  "Café, naïve, résumé, jalapeño, Ångström, façade, coöperate.",
  "ÀÁÂÃÄÅ àáâãäå ÈÉÊË èéêë ÌÍÎÏ ìíîï ÒÓÔÕÖ òóôõö ÙÚÛÜ ùúûü Ýý ÿ",
  "Decomposed: e\u0301 a\u0300 o\u0308 n\u0303 and stacked a\u0301\u0302\u0303\u0304.",
  "Straße, Fußball, weiß, STRASSE",
  "İstanbul, ıstanbul, DİYARBAKIR, I\u0307",
  "ΟΔΥΣΣΕΥΣ ΣΑΣ ΣΟΦΟΣ Σ σ ς ΐ ΰ",
  "Ελληνικά: καλημέρα κόσμε",
  "Русский текст: Съешь же ещё этих мягких французских булок.",
  "中文字符和日本語のテキスト、한국어 텍스트。",
  "CJK extensions: 𠀀𠀁𠀂 𪜀 𫝀 𫠠 𬺰 𰀀 and compatibility 豈 更",
  "ひらがな カタカナ ｶﾀｶﾅ 漢字かな交じり文",
  "العربية: مرحبا بالعالم ١٢٣ — עברית: שלום עולם",
  "हिन्दी देवनागरी १२३, தமிழ், ภาษาไทย ๑๒๓, ລາວ, ქართული",
  "Emoji 😀 😃 👍🏽 👩‍👩‍👧‍👦 🇫🇷 🏳️‍🌈 ❤️ ✨",
  "Symbols ©®™ ℃ ℉ № ∑ ∏ √ ∞ ≈ ≠ ≤ ≥ ← → ↑ ↓ ♠ ♥ ♦ ♣",
  "Punctuation !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  "Unicode punctuation ¡¿ «» ‹› „“ ‚‘ ’ — – ‐ … · • ※ 〈〉 《》 「」 【】",
  "Ligatures ﬁ ﬂ ﬀ ﬃ ﬄ and fullwidth ＡＢＣ ａｂｃ １２３ ！？",
  "Roman Ⅻ, fractions ½ ¼ ¾, super² sub₂, circled ①②③",
  "Math 𝐀𝐁𝐂 𝔄𝔅 𝕒𝕓 ℌℑℜ",
  "Titlecase ǅ ǈ ǋ ǲ",
  "Spaces: a\u00a0b\u2002c\u2003d\u2009e\u200af\u202fg\u205fh\u3000i",
  "Zero width: a\u200bb\u200cc\u200dd\u2060e\ufefff",
  "Controls: a\u0000b\u0001c\u0007d\u001be\u007ff\u0085g\u009fh",
  "Line separators: one\u2028two\u2029three\u000bfour\u000cfive",
  "Soft\u00adhyphen and bidi \u202aembedded\u202c \u200eLRM\u200f RLM",
  "Replacement \ufffd character and private use \ue000\uf8ff",
  "Unassigned \u0378 \u2065 \u{e0080}",
  "Lone surrogates \ud800 and \udfff",
  "Multiple    spaces   between     words",
  "Tabs\tbetween\t\twords\tand\ttrailing\t",
  "Newlines\nand\n\nblank\n\n\nlines\r\nwindows\rmac",
  "  leading and trailing spaces  ",
  "[CLS] [SEP] [PAD] [MASK] [UNK] inside text",
  "<s> a </s></s> b </s> <pad> <unk> <mask> tokens",
  "the capital of France is <mask>.",
  "whitespace before a mask: a  \t<mask> b, a\u00a0<mask>, a\ufeff<mask>, a\u0085<mask>, <mask>\u3000c",
  "byte order mark \ufeffword and \ufeff\ufeff marks, next line a \u0085 b x\u0085\u0085 y",
  "an <|endoftext|> in the middle <|endoftext|>",
  "[cls] lower-case specials and [MASK]ed words",
  "https://example.com/path?query=1&b=2#frag and user@example.org",
  "snake_case camelCase PascalCase kebab-case SCREAMING_SNAKE",
  "C++ C# F# .NET node.js README.md v1.2.3-beta+build",
  "e-mail, co-operate, re-enter; state-of-the-art",
  "a".repeat(99),
  "b".repeat(100),
  "c".repeat(101),
  `${"é".repeat(60)} ${"😀".repeat(51)}`,
  "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
  "x y z",
  ".",
  "...",
  "?!",
  "'",
  "'s 're 've 'm 'll 'd",
];

/** Pieces the random texts are drawn from, each a trap of its own. */
const POOLS: readonly (readonly string[])[] = [
  ["encoder", "decoder", "warm", "start", "checkpoint", "model", "the", "of", "and", "training", "sentence"],
  ["Encoder", "DECODER", "Warm", "BERT", "GPT-2", "RoBERTa", "Hugging", "Face", "Transformer"],
  ["café", "naïve", "über", "señor", "Ærø", "Łódź", "Dvořák", "São", "Ñandú", "façade"],
  ["日本", "中文", "한국", "𠀀", "𪜀", "豈", "ｶﾅ", "漢字"],
  ["😀", "👍🏽", "👩‍💻", "🇯🇵", "❤️", "🎉"],
  ["ΣΟΦΟΣ", "ΟΔΥΣΣΕΥΣ", "ς", "İ", "ß", "ﬁ", "ǅ", "Ω"],
  ["0", "7", "42", "3.14", "1,000", "-5", "2024", "١٢٣", "½", "²"],
  [",", ".", "!", "?", ";", ":", "(", ")", '"', "'", "-", "—", "…", "«", "»", "¿"],
  [" ", "  ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2003"],
  ["\u0000", "\u0007", "\u200b", "\u200d", "\ufeff", "\u00ad", "\ufffd", "\u0301", "\u0378"],
  ["[CLS]", "[SEP]", "[MASK]", "<s>", "</s>", "<mask>", "<pad>", "<|endoftext|>"],
  ["don't", "it's", "I'm", "we've", "they'll", "she'd"],
];

function randomText(random: SeededRandom): string {
  const pieces = 1 + random.int(14);
  let out = "";
  for (let i = 0; i < pieces; i++) {
    const pool = POOLS[random.int(POOLS.length)] as readonly string[];
    out += pool[random.int(pool.length)] as string;
    // Mostly words separated by one space; sometimes glued, sometimes a longer run.
    const gap = random.float();
    if (gap < 0.7) out += " ";
    else if (gap < 0.8) out += "   ";
  }
  return out;
}

/** The written cases, then `generated` seeded random mixes (the same on every run). */
export function parityCorpus(generated = 240, seed = 20240611): string[] {
  const random = new SeededRandom(seed);
  return [...WRITTEN, ...Array.from({ length: generated }, () => randomText(random))];
}
