// Parity with goldens made by real Hugging Face transformers (oracle/make_goldens.py; 5.x and 4.x lines, versions in
// each goldens.json), on one backend per process (hf-goldens-{native,wasm,cpu}.test.ts): the nine compositions of
// Rothe et al. (2020) as each line saved them, loaded here, give the same encoder states, logits and loss (1e-4) and
// the same generate() ids (exactly; sequences_scores 1e-4) for greedy and beam-search settings, with and without the
// key/value cache. No Python is needed: the files are committed under fixtures/hf/.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { tf } from "@warmstart/tensors";
import { assertClose } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "../encoder-decoder-model.js";
import { generationConfigFromHF } from "../generation/configuration.js";
import { onBackend, type ParityBackend } from "./parity-suites.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "hf");

interface GoldenTensor {
  shape: number[];
  data: number[];
}

interface GenerationCase {
  name: string;
  kwargs: Record<string, unknown>;
  sequences: number[][];
  sequences_scores?: number[];
  min_decision_gap: number;
}

interface HFGoldens {
  composition: string;
  made_by: { transformers: string; torch: string };
  inputs: { input_ids: number[][]; attention_mask: number[][] };
  encoder_last_hidden_state: GoldenTensor;
  logits: GoldenTensor & { decoder_input_ids: number[][] };
  loss: { labels: number[][]; loss: number; logits: number[] };
  generate: GenerationCase[];
}

/** Decisions closer than this to a tie could flip under float32 rounding; the generator draws wide weights so none is. */
const STABLE_GAP = 1e-4;

/** Every composition of both transformers lines on `backend`. */
export function hfGoldensSuite(backend: ParityBackend): void {
  for (const line of ["v5", "v4"]) {
    const lineDir = join(FIXTURES, line);
    const compositions = existsSync(lineDir) ? readdirSync(lineDir).sort() : [];
    test(`fixtures/hf/${line} holds the nine paper compositions`, () => {
      assert.equal(compositions.length, 9, `${lineDir}: ${compositions.join(", ")}`);
    });
    for (const composition of compositions) {
      describe(`${composition} saved by transformers ${line}`, () => {
        const dir = join(lineDir, composition);
        const g = JSON.parse(readFileSync(join(dir, "goldens.json"), "utf8")) as HFGoldens;
        let model: EncoderDecoderModel | undefined;
        // Set where the optional native backend did not start (no addon, WARMSTART_REQUIRE_NATIVE unset): the load
        // test skipped with the reason, and the tests after it skip too.
        let notStarted = false;
        const inputs = { inputIds: g.inputs.input_ids, attentionMask: g.inputs.attention_mask };

        test(`loads (made by transformers ${g.made_by.transformers}) on ${backend}`, async (t) => {
          if (!(await onBackend(t, backend))) notStarted = true;
          else model = await EncoderDecoderModel.fromPretrained(dir);
        });

        test("encoder states, logits and loss match", (t) => {
          if (notStarted) return t.skip(`the ${backend} backend did not start`);
          assert.ok(model !== undefined, "the model did not load");
          const before = tf.memory().numTensors;
          const hidden = model.encode(inputs.inputIds, inputs.attentionMask);
          assertClose(hidden.hidden.dataSync(), g.encoder_last_hidden_state.data, 1e-4, "encoder last hidden state");
          model.disposeEncoderState(hidden);
          const { logits } = model.forward({ ...inputs, decoderInputIds: g.logits.decoder_input_ids });
          assert.deepEqual(logits.shape, g.logits.shape);
          assertClose(logits.dataSync(), g.logits.data, 1e-4, "logits");
          logits.dispose();
          const out = model.forward({ ...inputs, labels: g.loss.labels });
          assertClose(out.logits.dataSync(), g.loss.logits, 1e-4, "logits from labels");
          const loss = out.loss!.dataSync()[0] as number;
          assert.ok(Math.abs(loss - g.loss.loss) <= 1e-4, `loss ${loss} vs transformers' ${g.loss.loss}`);
          out.logits.dispose();
          out.loss!.dispose();
          assert.equal(tf.memory().numTensors, before, "forward leaves no tensors behind");
        });

        for (const c of g.generate) {
          for (const useCache of [true, false]) {
            test(`generate ${c.name} ${JSON.stringify(c.kwargs)} (${useCache ? "with" : "without"} cache)`, async (t) => {
              if (notStarted) return t.skip(`the ${backend} backend did not start`);
              assert.ok(model !== undefined, "the model did not load");
              assert.ok(c.min_decision_gap > STABLE_GAP, `golden decisions too close to a tie (${c.min_decision_gap})`);
              const config = { ...generationConfigFromHF(c.kwargs, `${composition}/goldens.json ${c.name}`), useCache };
              const out = await model.generate(inputs, config);
              assert.deepEqual(out.sequences, c.sequences);
              if (c.sequences_scores !== undefined) {
                assertClose(out.sequencesScores!, c.sequences_scores, 1e-4, "sequences_scores");
              }
            });
          }
        }

        test("dispose", () => model?.dispose());
      });
    }
  }
}
