// Generation parity with ../shared/fixtures/parity/{bert2bert,robertashare}/goldens.json: greedy, beam search and
// the beam-search semantics probe must reproduce the reference ids exactly (width and padding included), with
// and without the decoder's key/value cache.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { initBackend, tf } from "@warmstart/tensors";
import { assertClose, sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import { generationConfigFromHF } from "./configuration.js";

interface GenerationGolden {
  inputs?: string;
  input_ids?: number[][];
  attention_mask?: number[][];
  ids: number[][];
  sequence_scores?: number[] | null;
  [key: string]: unknown;
}

const skip = sharedSkipReason("fixtures/parity");
const cases = ["greedy", "beam_search", "beam_search_semantics_probe"] as const;

for (const composition of ["bert2bert", "robertashare"]) {
  describe(`${composition} generation goldens`, { skip }, () => {
    const dir = sharedPath("fixtures", "parity", composition) ?? "";
    let model: EncoderDecoderModel;
    let goldens: Record<string, unknown> & { inputs: { input_ids: number[][]; attention_mask: number[][] } };

    test("load", async () => {
      await initBackend({ backend: "cpu" });
      goldens = JSON.parse(readFileSync(join(dir, "goldens.json"), "utf8"));
      model = await EncoderDecoderModel.fromPretrained(dir);
    });

    for (const name of cases) {
      for (const useCache of [true, false]) {
        test(`${name} ids equal the golden (${useCache ? "with" : "without"} cache)`, async () => {
          const golden = goldens[name] as GenerationGolden;
          const inputs =
            golden.inputs === "inputs"
              ? { inputIds: goldens.inputs.input_ids, attentionMask: goldens.inputs.attention_mask }
              : { inputIds: golden.input_ids!, attentionMask: golden.attention_mask! };
          // Every parameter of the golden is passed explicitly (num_beams, max_length, early_stopping, ...).
          const config = { ...generationConfigFromHF(golden, `${composition}/goldens.json ${name}`), useCache };
          const tensorsBefore = tf.memory().numTensors;
          const out = await model.generate(inputs, config);
          assert.deepEqual(out.sequences, golden.ids);
          assert.equal(tf.memory().numTensors, tensorsBefore, "generate leaves no tensors behind");
          if (golden.sequence_scores !== undefined && golden.sequence_scores !== null) {
            assertClose(out.sequencesScores!, golden.sequence_scores, 1e-4, `${name} sequence_scores`);
          }
        });
      }
    }

    test("dispose", () => {
      model.dispose();
    });
  });
}
