// pytorch_model.bin checkpoints written by real torch / transformers (oracle/pytorch_bin_probe.py, both lines):
// a tiny BERT, RoBERTa, GPT-2 and a composed BERT2BERT, each saved by save_pretrained twice (safetensors and
// safe_serialization=False), a sharded .bin BERT and an fp16 BERT. Each .bin folder loads here (parts via the
// encoders / decoders loaders, the composition via EncoderDecoderModel.fromPretrained) with the same load report
// and bit-identical outputs as its safetensors twin, and Python's outputs (1e-4).
// Run: node --import tsx --test packages/composer/src/pytorch-bin.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { GPT2LMHeadModel } from "@warmstart/decoders";
import { BertModel, RobertaModel } from "@warmstart/encoders";
import { initBackend, openCheckpoint, type tf } from "@warmstart/tensors";
import { assertClose, ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import type { LoadReport } from "@warmstart/modeling";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";

interface Answer {
  transformers: string;
  torch: string;
  outputs: Record<string, number[]>;
  files: Record<string, string[]>;
  inputs: { input_ids: number[][]; attention_mask: number[][]; decoder_input_ids: number[][] };
}

const scratch = mkdtempSync(join(tmpdir(), "pytorch-bin-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
before(async () => {
  await initBackend({ backend: "cpu" });
});

/** Runs `load` on the folder's st/ and bin/ twins: same report, identical outputs; returns the bin outputs. */
async function twins(
  dir: string,
  name: string,
  load: (dir: string, onLoadReport: (r: LoadReport) => void) => Promise<number[]>,
): Promise<number[]> {
  const reports: LoadReport[] = [];
  const st = await load(join(dir, name, "st"), (r) => reports.push(r));
  const bin = await load(join(dir, name, "bin"), (r) => reports.push(r));
  // `skipped` may differ: a .bin keeps stored copies of tied weights (lm_head.weight) that safetensors drops.
  const { skipped: _s1, ...binReport } = reports[1] ?? { skipped: [] };
  const { skipped: _s0, ...stReport } = reports[0] ?? { skipped: [] };
  assert.deepEqual(binReport, stReport, `${name}: load reports differ`);
  if (reports.length > 0) assert.deepEqual(reports[1]?.missing, [], `${name}: missing weights`);
  assert.deepEqual(bin, st, `${name}: .bin outputs differ from safetensors outputs`);
  return bin;
}

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

for (const line of ORACLE_LINES) {
  test(`transformers ${line}: pytorch_model.bin folders load like their safetensors twins`, async () => {
    const dir = join(scratch, line);
    const py = runOracle<Answer>(line, "pytorch_bin_probe.py", { op: "models", dir });
    for (const [name, files] of Object.entries(py.files)) {
      assert.ok(
        !files.some((f) => f.endsWith(".safetensors")),
        `${name}/bin has safetensors weights: ${JSON.stringify(files)}`,
      );
      assert.ok(
        files.some((f) => f.startsWith("pytorch_model")),
        `${name}/bin: ${JSON.stringify(files)}`,
      );
    }
    assert.ok(
      py.files["bert-sharded"]?.includes("pytorch_model.bin.index.json"),
      JSON.stringify(py.files["bert-sharded"]),
    );
    const { input_ids: inputIds, attention_mask: attentionMask, decoder_input_ids: decoderInputIds } = py.inputs;

    const encoder =
      (Model: typeof BertModel | typeof RobertaModel) => async (d: string, onLoadReport: (r: LoadReport) => void) => {
        const model = await Model.fromPretrained(d, { onLoadReport });
        try {
          return values(model.forward({ inputIds, attentionMask }).lastHiddenState);
        } finally {
          model.dispose();
        }
      };
    for (const name of ["bert", "bert-fp16"]) {
      assertClose(await twins(dir, name, encoder(BertModel)), py.outputs[name] as number[], 1e-4, `${line} ${name}`);
    }
    assertClose(
      await twins(dir, "roberta", encoder(RobertaModel)),
      py.outputs.roberta as number[],
      1e-4,
      `${line} roberta`,
    );
    const gpt2 = await twins(dir, "gpt2", async (d, onLoadReport) => {
      const model = await GPT2LMHeadModel.fromPretrained(d, { onLoadReport });
      try {
        return values(model.forward({ inputIds, attentionMask }).logits);
      } finally {
        model.dispose();
      }
    });
    assertClose(gpt2, py.outputs.gpt2 as number[], 1e-4, `${line} gpt2`);

    const half = await openCheckpoint(join(dir, "bert-fp16", "bin"));
    assert.equal(half.info("embeddings.word_embeddings.weight").dtype, "F16");
    half.close();

    // Sharded: the same tensors as the single-file BERT (same weights, saved with max_shard_size).
    const single = await openCheckpoint(join(dir, "bert", "bin"));
    const sharded = await openCheckpoint(join(dir, "bert-sharded", "bin"));
    try {
      assert.deepEqual(sharded.names().sort(), single.names().sort());
      for (const name of single.names()) {
        assert.deepEqual(values(sharded.tensor(name)), values(single.tensor(name)), name);
      }
    } finally {
      single.close();
      sharded.close();
    }
    const fromShards = await encoder(BertModel)(join(dir, "bert-sharded", "bin"), () => {});
    assertClose(fromShards, py.outputs.bert as number[], 1e-4, `${line} bert-sharded`);

    const warnings: string[] = [];
    const composed = await twins(dir, "bert2bert", async (d) => {
      const model = await EncoderDecoderModel.fromPretrained(d, { warn: (m) => warnings.push(m) });
      try {
        return values(model.forward({ inputIds, attentionMask, decoderInputIds }).logits);
      } finally {
        model.dispose();
      }
    });
    assertClose(composed, py.outputs.bert2bert as number[], 1e-4, `${line} bert2bert`);
    assert.deepEqual(warnings, []);
  });
}
