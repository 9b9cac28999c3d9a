// A Hub repository saved before transformers 4.35 holds pytorch_model.bin (or a sharded pytorch_model.bin.index.json)
// and no safetensors. fromPretrained(hubId) downloads it through @warmstart/hub (the loopback test hub here) and
// loads it with the restricted unpickler: outputs identical to the safetensors twin. The .bin files are written
// here the way torch.save lays them out (test-utils' torch-zip builders); pytorch-bin.interop.ts checks files
// written by real torch.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestHub } from "@warmstart/hub/testing";
import { initBackend, openSafetensors } from "@warmstart/tensors";
import { pytorchBin } from "@warmstart/test-utils";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { saveTinyBert2Bert, TWO_INPUTS } from "./generation/test-support/oracle-fixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "bin-hub-"));
let dir = "";
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});
before(async () => {
  await initBackend({ backend: "cpu" });
  dir = await saveTinyBert2Bert("bin-hub-model-", { seed: 21 });
});

interface Weights {
  names: string[];
  byName: Map<string, { shape: number[]; values: Float32Array }>;
}

/** Every tensor of a safetensors file as float32 values, in header order. */
async function readWeights(path: string): Promise<Weights> {
  const file = await openSafetensors(path);
  const byName = new Map<string, { shape: number[]; values: Float32Array }>();
  try {
    for (const name of file.names()) {
      const t = file.tensor(name);
      byName.set(name, { shape: [...t.shape], values: Float32Array.from(t.dataSync()) });
      t.dispose();
    }
  } finally {
    file.close();
  }
  return { names: [...byName.keys()], byName };
}

/** The tensors of `names` as one pytorch_model.bin. */
function binOf(weights: Weights, names: string[]): Uint8Array {
  return pytorchBin(names.map((name) => ({ name, ...weights.byName.get(name)! })));
}

test("fromPretrained(hubId) of a repository with only pytorch_model.bin (single or sharded) equals its safetensors twin", async () => {
  const weights = await readWeights(join(dir, "model.safetensors"));
  const common: Record<string, Uint8Array> = { "config.json": readFileSync(join(dir, "config.json")) };
  if (existsSync(join(dir, "generation_config.json"))) {
    common["generation_config.json"] = readFileSync(join(dir, "generation_config.json"));
  }
  const half = Math.ceil(weights.names.length / 2);
  const shardNames = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"];
  const weightMap = Object.fromEntries(weights.names.map((name, i) => [name, shardNames[i < half ? 0 : 1]!]));
  const hub = await startTestHub({
    repos: [
      { id: "old/bert2bert", files: { ...common, "pytorch_model.bin": binOf(weights, weights.names) } },
      {
        id: "old/bert2bert-sharded",
        files: {
          ...common,
          "pytorch_model.bin.index.json": JSON.stringify({ metadata: {}, weight_map: weightMap }),
          [shardNames[0]!]: binOf(weights, weights.names.slice(0, half)),
          [shardNames[1]!]: binOf(weights, weights.names.slice(half)),
        },
      },
    ],
  });
  const twin = await EncoderDecoderModel.fromPretrained(dir);
  try {
    const inputs = { inputIds: TWO_INPUTS.input_ids, attentionMask: TWO_INPUTS.attention_mask };
    const batch = {
      ...inputs,
      decoderInputIds: [
        [2, 7, 8],
        [2, 9, 9],
      ],
    };
    const expectedLogits = Array.from(twin.forward(batch).logits.dataSync());
    const expectedIds = await twin.generate(inputs, { numBeams: 2, maxNewTokens: 6 });
    for (const id of ["old/bert2bert", "old/bert2bert-sharded"]) {
      const model = await EncoderDecoderModel.fromPretrained(id, {
        hub: { hubUrl: hub.url, cacheDir: join(scratch, "cache"), offline: false },
      });
      try {
        assert.deepEqual(Array.from(model.forward(batch).logits.dataSync()), expectedLogits, `${id}: logits`);
        assert.deepEqual(
          await model.generate(inputs, { numBeams: 2, maxNewTokens: 6 }),
          expectedIds,
          `${id}: generate`,
        );
      } finally {
        model.dispose();
      }
    }
  } finally {
    twin.dispose();
    await hub.close();
  }
});
