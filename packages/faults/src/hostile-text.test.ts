/*
 * Guarantee: hostile text (10 MB inputs, lone UTF-16 surrogates, NUL bytes, right-to-left marks,
 * 100k-line files) is processed or refused with a typed error by the tokenizers, the metrics and
 * `warmstart evaluate`; nothing crashes, and nothing runs past the documented limits (ROUGE-L and
 * ROUGE-Lsum refuse examples beyond MAX_LCS_CELLS at once; every call here must end within
 * CALL_LIMIT_MS on this 2-core machine).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { bleu, exactMatch, rouge, sari } from "@warmstart/evaluation";
import { Tokenizer } from "@warmstart/tokenizers";
import { faultSeed, seeded } from "./test-support/rng.js";
import { createTally } from "./test-support/tally.js";

const tally = createTally("hostile text");
// Generous: a 10 MB encode alone takes 30-70 s on this loaded 2-core machine (the native binding, not a hang).
const CALL_LIMIT_MS = 120_000;
const WORDS = ["alpha", "beta", "gamma", "delta", "the", "of", "and", "Ünïcödé", "漢字", "😀"];
let root: string;

function words(count: number, seed: number): string {
  const random = seeded(seed);
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
}

const TEN_MB = words(1_500_000, faultSeed(8));
const HUNDRED_K_LINES = Array.from({ length: 100_000 }, (_, i) => `line ${i} alpha beta`);
const HOSTILE: Array<[string, string]> = [
  ["10 MB", TEN_MB],
  ["lone surrogates", "alpha \uD800 beta \uDFFF gamma \uD83D"],
  ["NUL bytes", "alpha\u0000beta \u0000\u0000 gamma"],
  ["right-to-left marks", "\u202Ealpha beta\u202C \u200F gamma \u061C \u2067delta\u2069"],
  ["combining marks", `e${"\u0301".repeat(10_000)} alpha`],
  ["only whitespace", " \t\u00A0\u3000 "],
  ["empty", ""],
  ["100k lines", HUNDRED_K_LINES.join("\n")],
];

/*
 * What each metric gets: ROUGE-L/Lsum the full 10 MB (they must refuse it at once); BLEU and SARI,
 * linear but slow in JavaScript (about 1 s per MB here), 1 MB of it, to keep the suite short.
 */
const ONE_MB = TEN_MB.slice(0, 1_000_000);

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-text-"));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `call`: it must return, or throw an error with a string `code`, within CALL_LIMIT_MS. */
async function processedOrRefused(what: string, call: () => unknown): Promise<string | undefined> {
  tally.hostileInputsTried += 1;
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    if (typeof (error as { code?: unknown }).code !== "string") {
      return `${what}: untyped ${String(error).slice(0, 200)}`;
    }
  }
  const took = performance.now() - started;
  return took > CALL_LIMIT_MS ? `${what}: took ${Math.round(took)} ms` : undefined;
}

const tokenizers = (): Array<[string, Tokenizer]> => [
  [
    "wordpiece",
    Tokenizer.fromVocab({
      kind: "wordpiece",
      vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "alpha", "beta", "##a"],
      modelMaxLength: 64,
    }),
  ],
  [
    "byte-level bpe",
    Tokenizer.fromVocab({
      kind: "bpe",
      vocab: Object.fromEntries([..."abcdefghijklmnopqrstuvwxyzĠ", "<|endoftext|>", "al", "alp"].map((t, i) => [t, i])),
      merges: ["a l", "al p"],
    }),
  ],
];

test(
  "the tokenizers encode, truncate and decode hostile text or refuse it with a typed error",
  { timeout: 300_000 },
  async () => {
    const problems: string[] = [];
    for (const [kind, tokenizer] of tokenizers()) {
      for (const [what, full] of HOSTILE) {
        // Encoding runs at about 3 s per MB here, truncation or not: the full 10 MB goes through one tokenizer.
        const text = what === "10 MB" && kind !== "wordpiece" ? ONE_MB : full;
        const problem = await processedOrRefused(`${kind} ${what}`, async () => {
          const encoding = await tokenizer.encode(text, undefined, { truncation: true });
          await tokenizer.decode(encoding.inputIds);
        });
        if (problem !== undefined) problems.push(problem);
      }
      const problem = await processedOrRefused(`${kind} batch of 100k lines`, async () => {
        const batch = await tokenizer.batchEncode(HUNDRED_K_LINES, {
          truncation: true,
          maxLength: 16,
          padding: "longest",
        });
        assert.equal(batch.inputIds.length, HUNDRED_K_LINES.length);
      });
      if (problem !== undefined) problems.push(problem);
    }
    assert.deepEqual(problems, []);
  },
);

test("the metrics score hostile text or refuse it with a typed error", { timeout: 300_000 }, async () => {
  const problems: string[] = [];
  for (const [what, full] of HOSTILE) {
    const big = what === "10 MB";
    const text = big ? ONE_MB : full;
    const other = big ? words(150_000, faultSeed(9)) : `${full} alpha`;
    const calls: Array<[string, () => unknown]> = [
      ["bleu", () => bleu([text], [[other]])],
      [
        "rouge",
        () =>
          rouge([full], [big ? words(1_500_000, faultSeed(9)) : other], {
            useAggregator: false,
            rougeTypes: big ? ["rougeL", "rougeLsum"] : undefined,
          }),
      ],
      ["sari", () => sari([other], [text], [[other]])],
      ["exact match", () => exactMatch([full], [other], { ignoreCase: true, ignorePunctuation: true })],
    ];
    for (const [metric, call] of calls) {
      const problem = await processedOrRefused(`${metric} ${what}`, call);
      if (problem !== undefined) problems.push(problem);
    }
  }
  const lines = HUNDRED_K_LINES;
  for (const [metric, call] of [
    [
      "bleu",
      () =>
        bleu(
          lines,
          lines.map((l) => [l]),
        ),
    ],
    ["rouge", () => rouge(lines, lines, { useAggregator: false })],
    [
      "sari",
      () =>
        sari(
          lines,
          lines,
          lines.map((l) => [l]),
        ),
    ],
    ["exact match", () => exactMatch(lines, lines)],
  ] as Array<[string, () => unknown]>) {
    const problem = await processedOrRefused(`${metric} of 100k examples`, call);
    if (problem !== undefined) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

const cli = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));

/** Runs `warmstart evaluate`; resolves with exit code and output, or kills it after CALL_LIMIT_MS. */
function evaluate(args: string[]): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "evaluate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, CALL_LIMIT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

test(
  "warmstart evaluate scores hostile files or refuses them with a message, never a stack trace",
  { skip: existsSync(cli) ? false : "apps/cli is not built", timeout: 300_000 },
  async () => {
    // Large files go through the fast metrics only, to keep the suite short (see the README).
    const ALL = ["rouge", "bleu", "sari", "exact-match"];
    const files: Array<[string, Buffer, Buffer, string[]?]> = [
      ["10 MB line", Buffer.from(`${TEN_MB}\n`), Buffer.from(`${words(1_500_000, faultSeed(10))}\n`), ["exact-match"]],
      [
        "100k lines",
        Buffer.from(`${HUNDRED_K_LINES.join("\n")}\n`),
        Buffer.from(`${HUNDRED_K_LINES.join("\n")}\n`),
        ["exact-match", "bleu"],
      ],
      // Invalid UTF-8: an encoded lone surrogate, a stray continuation byte, 0xFF.
      ["invalid UTF-8", Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x20, 0x80, 0xff, 0x0a]), Buffer.from("a b\n")],
      ["NUL and RTL", Buffer.from("al\u0000pha \u202Ebeta\u202C\n"), Buffer.from("alpha beta\n")],
      ["line counts differ", Buffer.from("a\nb\n"), Buffer.from("a\n")],
    ];
    const problems: string[] = [];
    for (const [i, [what, predictions, references, metrics]] of files.entries()) {
      const p = join(root, `pred-${i}.txt`);
      const r = join(root, `ref-${i}.txt`);
      writeFileSync(p, predictions);
      writeFileSync(r, references);
      tally.filesFuzzed += 2;
      for (const metric of metrics ?? ALL) {
        tally.hostileInputsTried += 1;
        const extra = metric === "sari" ? ["--sources", r] : [];
        const { code, output, timedOut } = await evaluate([
          "--metric",
          metric,
          "--predictions",
          p,
          "--references",
          r,
          ...extra,
        ]);
        if (timedOut) problems.push(`${what} ${metric}: still running after ${CALL_LIMIT_MS} ms`);
        // A crash is a signal, an exit code above the CLI's own (0 ok, 1-3 refused), or a stack trace.
        else if (/\n\s+at .+:\d+:\d+\)?\n/.test(output) || code === null || code > 3) {
          problems.push(`${what} ${metric}: exit ${code}: ${output.slice(0, 400)}`);
        } else if (code !== 0 && output.trim() === "") problems.push(`${what} ${metric}: failed without a message`);
      }
    }
    assert.deepEqual(problems, []);
  },
);
