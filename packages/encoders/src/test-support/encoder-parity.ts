import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { assertClose, nativeMaySkip, sharedSkipReason, startOrSkip } from "@warmstart/test-utils";
import { BertModel } from "../bert/model.js";
import { RobertaModel } from "../roberta/model.js";
import { PARITY, readParityJson, parityCheckpoint, type GoldenTensor } from "./fixtures.js";

interface EncoderCase {
  checkpoint: string;
  model_class: string;
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  last_hidden_state: GoldenTensor;
  pooler_output?: GoldenTensor;
  weights_not_in_checkpoint: string[];
}

/**
 * encoders.json parity on one backend: every position of last_hidden_state (and BERT's pooler) within 1e-4.
 * Reads results with `data()`: the webgpu backend cannot serve `dataSync` in Node.
 */
// The encoder class of each parity checkpoint's family; the golden names the Hugging Face class it was made with.
const ENCODER_CLASSES = { bert: BertModel, roberta: RobertaModel } as const;

export function encoderParitySuite(backend: "wasm" | "cpu" | "native" | "webgpu"): void {
  const skip = sharedSkipReason(PARITY);
  for (const name of ["bert", "roberta"] as const) {
    test(`${name} encoder matches encoders.json on ${backend}`, { skip }, async (t) => {
      if (
        !(await startOrSkip(
          t,
          () => initBackend({ backend }),
          (backend === "native" && nativeMaySkip()) || backend === "webgpu",
        ))
      ) {
        return;
      }
      assert.equal(tf.getBackend(), backend);
      const golden = readParityJson<Record<string, EncoderCase>>("encoders.json")[name] as EncoderCase;
      const model = await ENCODER_CLASSES[name].fromPretrained(parityCheckpoint(golden.checkpoint));
      assert.equal(model.constructor.name, golden.model_class);
      assert.deepEqual(model.loadReport?.missing, golden.weights_not_in_checkpoint);
      const before = tf.memory().numTensors;
      const out = model.forward({
        inputIds: golden.input_ids,
        attentionMask: golden.attention_mask,
        tokenTypeIds: golden.token_type_ids,
      });
      assert.deepEqual(out.lastHiddenState.shape, golden.last_hidden_state.shape);
      assertClose(await out.lastHiddenState.data(), golden.last_hidden_state.data, 1e-4, `${name} last_hidden_state`);
      if (golden.pooler_output !== undefined) {
        assert.ok(out.poolerOutput);
        assertClose(await out.poolerOutput.data(), golden.pooler_output.data, 1e-4, `${name} pooler_output`);
      }
      out.lastHiddenState.dispose();
      out.poolerOutput?.dispose();
      assert.equal(tf.memory().numTensors, before, "forward leaks no tensors");
      model.dispose();
    });
  }
}
