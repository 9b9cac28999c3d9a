// Checkpoint layouts against real Hugging Face transformers (both lines of oracle/, oracle/weights_probe.py):
//  (i) BERTShare and RoBERTaShare saved by Python as each line saves them (float32, float16, bfloat16, sharded; a
//      "fine-tuned" Share whose halves transformers 5 stores different; a decoder with tie_word_embeddings false)
//      load here with Python's logits. Tolerance 1e-4 against Python's float32 computation of the same stored
//      weights: a 16-bit checkpoint is compared with Python's model loaded from it and cast to float32, so both
//      sides compute in float32 on identical (rounded) values.
// (ii) the same models saved by this project load in Python with empty missing / unexpected / mismatched keys,
//      no warning about newly initialised or unused weights, every stored tensor equal to Python's loaded weight
//      (both halves), and the same logits.
// Run: node --import tsx --test packages/composer/src/weights-hf.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initBackend, openCheckpoint } from "@warmstart/tensors";
import { assertClose, maxAbsDiff, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";

const TOLERANCE = 1e-4;
const scratch = mkdtempSync(join(tmpdir(), "weights-hf-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Kind = "bert" | "roberta";
interface Batch {
  input_ids: number[][];
  attention_mask: number[][];
  decoder_input_ids: number[][];
}
const INPUTS: Record<Kind, Batch> = {
  bert: {
    input_ids: [
      [2, 5, 6, 7, 3],
      [2, 8, 9, 3, 0],
    ],
    attention_mask: [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ],
    decoder_input_ids: [
      [2, 11, 12],
      [2, 13, 14],
    ],
  },
  roberta: {
    input_ids: [
      [0, 5, 6, 7, 2],
      [0, 8, 9, 2, 1],
    ],
    attention_mask: [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ],
    decoder_input_ids: [
      [0, 11, 12],
      [0, 13, 14],
    ],
  },
};

interface Variant {
  dir: string;
  kind: Kind;
  logits: number[];
  shape: number[];
  keys: Record<string, string>;
  files: string[];
  dtype: (string | null)[];
}
interface MakeResult {
  version: string;
  variants: Record<string, Variant>;
}
interface CheckResult {
  version: string;
  results: Record<
    string,
    {
      info: Record<string, string[]>;
      log: string[];
      stored: number;
      differing: string[];
      tied: boolean;
      head_tied: boolean;
      tie_encoder_decoder: boolean;
      logits: number[];
    }
  >;
}

function logitsOf(model: EncoderDecoderModel, kind: Kind): Float32Array {
  const batch = INPUTS[kind];
  const { logits } = model.forward({
    inputIds: batch.input_ids,
    attentionMask: batch.attention_mask,
    decoderInputIds: batch.decoder_input_ids,
  });
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

const LOAD_PROBLEM =
  /newly initiali[sz]ed|not initiali[sz]ed|MISSING|UNEXPECTED|MISMATCH|not used|were not used|corrupted/i;

for (const line of ORACLE_LINES) {
  test(`transformers ${line}: Share checkpoints in its layouts load here, and ours load there`, async (t) => {
    await initBackend({ backend: "cpu" });
    const root = join(scratch, line);
    const made = runOracle<MakeResult>(line, "weights_probe.py", { action: "make", dir: root, inputs: INPUTS });
    const ours: { dir: string; kind: Kind; name: string; logits: Float32Array; untiedHead: boolean }[] = [];
    for (const [name, variant] of Object.entries(made.variants)) {
      await t.test(`${name} (${made.version}) loads with Python's logits`, async () => {
        // What each line stores for a Share model: 4.57 the shared tensors under decoder names only, 5.24 every name.
        if (!name.endsWith("untied_head")) assert.equal(Object.keys(variant.keys).length, line === "v4" ? 64 : 101);
        const warnings: string[] = [];
        const model = await EncoderDecoderModel.fromPretrained(variant.dir, { warn: (m) => warnings.push(m) });
        try {
          const values = logitsOf(model, variant.kind);
          const scale = Math.max(...variant.logits.map(Math.abs));
          t.diagnostic(
            `${line} ${name}: max |logit| ${scale.toFixed(2)}, max |logit difference| ${maxAbsDiff(values, variant.logits).toExponential(2)}`,
          );
          assert.ok(scale > 1, "logits large enough for the tolerance to mean something");
          assertClose(values, variant.logits, TOLERANCE, `${name} logits`);
          const untiedHead = name.endsWith("untied_head");
          const halvesDiffer = line === "v5" && name.endsWith("finetuned");
          assert.equal(
            model.encoderDecoderTied,
            !untiedHead && !halvesDiffer,
            "tied unless two different halves were stored",
          );
          assert.equal(warnings.length, halvesDiffer ? 1 : 0, warnings.join("\n"));
          const out = join(root, `ours-${name}`);
          await model.savePretrained(out);
          ours.push({ dir: out, kind: variant.kind, name, logits: values, untiedHead });
        } finally {
          model.dispose();
        }
      });
    }
    const checked = runOracle<CheckResult>(line, "weights_probe.py", {
      action: "check",
      dirs: ours.map(({ dir, kind }) => ({ dir, kind })),
      inputs: INPUTS,
    });
    for (const saved of ours) {
      await t.test(
        `ours-${saved.name} loads in ${checked.version} cleanly, both halves as saved, same logits`,
        async () => {
          const result = checked.results[saved.dir];
          assert.ok(result !== undefined);
          for (const key of ["missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"]) {
            assert.deepEqual(result.info[key] ?? [], [], `${key}: ${JSON.stringify(result.info)}`);
          }
          assert.deepEqual(
            result.log.filter((l) => LOAD_PROBLEM.test(l)),
            [],
            "no loading warnings",
          );
          assert.deepEqual(result.differing, [], "every stored tensor is the loaded weight");
          const checkpoint = await openCheckpoint(saved.dir);
          assert.equal(result.stored, checkpoint.names().length);
          checkpoint.close();
          if (!saved.untiedHead) assert.equal(result.stored, 101, "a Share model stores both halves");
          assert.equal(result.tie_encoder_decoder, !saved.untiedHead);
          // 4.x re-ties a tie_encoder_decoder checkpoint; 5.x never ties encoder and decoder.
          assert.equal(result.tied, line === "v4" && !saved.untiedHead);
          assert.equal(result.head_tied, !saved.untiedHead);
          t.diagnostic(
            `${line} ours-${saved.name}: max |logit difference| ${maxAbsDiff(result.logits, saved.logits).toExponential(2)}`,
          );
          assertClose(result.logits, saved.logits, TOLERANCE, `${saved.name}: Python's logits of our checkpoint`);
        },
      );
    }
  });
}
