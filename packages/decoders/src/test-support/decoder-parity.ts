import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { assertClose, nativeMaySkip, sharedPath, sharedSkipReason, startOrSkip } from "@warmstart/test-utils";
import { BertLMHeadModel } from "../bert/model.js";
import { GPT2LMHeadModel } from "../gpt2/model.js";
import { RobertaForCausalLM } from "../roberta/model.js";

export const PARITY = "fixtures/parity";

export function parityCheckpoint(name: string): string {
  return join(sharedPath(PARITY) as string, name);
}

interface DecoderCase {
  checkpoint: string;
  model_class: string;
  config_overrides: Record<string, unknown>;
  input_ids: number[][];
  attention_mask: number[][];
  logits: { shape: number[]; data: number[] };
}

// The causal-LM class of each parity checkpoint; the golden names the Hugging Face class it was made with.
const DECODER_CLASSES = { gpt2: GPT2LMHeadModel, bert: BertLMHeadModel, roberta: RobertaForCausalLM } as const;

/** decoders.json parity on one backend: logits of every position within 1e-4. */
export function decoderParitySuite(backend: "wasm" | "cpu" | "native"): void {
  const skip = sharedSkipReason(PARITY);
  for (const name of ["gpt2", "bert_causal_lm", "roberta_causal_lm"]) {
    test(`${name} matches decoders.json on ${backend}`, { skip }, async (t) => {
      if (!(await startOrSkip(t, () => initBackend({ backend }), backend === "native" && nativeMaySkip()))) return;
      assert.equal(tf.getBackend(), backend);
      const all = JSON.parse(readFileSync(join(sharedPath(PARITY) as string, "decoders.json"), "utf8")) as Record<
        string,
        DecoderCase
      >;
      const golden = all[name] as DecoderCase;
      const decoderClass = DECODER_CLASSES[golden.checkpoint as keyof typeof DECODER_CLASSES];
      assert.ok(decoderClass, `no decoder class for parity checkpoint "${golden.checkpoint}"`);
      const model = await decoderClass.fromPretrained(parityCheckpoint(golden.checkpoint), {
        configOverrides: golden.config_overrides,
      });
      assert.equal(model.constructor.name, golden.model_class);
      const before = tf.memory().numTensors;
      const { logits } = model.forward({ inputIds: golden.input_ids, attentionMask: golden.attention_mask });
      assert.deepEqual(logits.shape, golden.logits.shape);
      assertClose(logits.dataSync(), golden.logits.data, 1e-4, `${name} logits`);
      logits.dispose();
      assert.equal(tf.memory().numTensors, before, "forward leaks no tensors");
      model.dispose();
    });
  }
}
