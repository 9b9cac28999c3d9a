import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendName } from "./backend.js";
import { gelu, geluNew } from "./ops/gelu.js";
import { layerNorm } from "./ops/layer_norm.js";
import { linear } from "./ops/linear.js";
import { createRandom } from "./random.js";

const VOCAB = 40;
const HIDDEN = 16;
const HEADS = 2;
const HEAD = HIDDEN / HEADS;
const FFN = 24;
const BATCH = 2;
const SEQ = 5;
const NAMES = [
  "wte",
  "wpe",
  "ln1.g",
  "ln1.b",
  "qkv.w",
  "qkv.b",
  "o.w",
  "o.b",
  "ln2.g",
  "ln2.b",
  "fc.w",
  "fc.b",
  "proj.w",
  "proj.b",
  "lnf.g",
  "lnf.b",
];

function parameters(): tf.Tensor[] {
  const random = createRandom(7);
  const shapes: Record<string, number[]> = {
    wte: [VOCAB, HIDDEN],
    wpe: [SEQ, HIDDEN],
    "qkv.w": [3 * HIDDEN, HIDDEN],
    // GPT-2 Conv1D layout for these two, nn.Linear for the rest.
    "o.w": [HIDDEN, HIDDEN],
    "fc.w": [FFN, HIDDEN],
    "proj.w": [FFN, HIDDEN],
  };
  return NAMES.map((name) => {
    const r = random.fork(name);
    if (name.endsWith(".g")) return tf.add(1, r.normal([HIDDEN], 0.1));
    if (name.endsWith(".b")) {
      return r.normal([name.startsWith("fc") ? FFN : name.startsWith("qkv") ? 3 * HIDDEN : HIDDEN], 0.1);
    }
    return r.normal(shapes[name] as number[], 0.3);
  });
}

/** Embedding, pre-LN causal self-attention, GELU feed-forward, tied LM head and cross-entropy. */
function loss(ids: tf.Tensor, labels: tf.Tensor, ...p: tf.Tensor[]): tf.Tensor {
  const w = Object.fromEntries(NAMES.map((n, i) => [n, p[i] as tf.Tensor]));
  const get = (n: string): tf.Tensor => w[n] as tf.Tensor;
  const x0 = tf.add(tf.gather(get("wte"), ids), get("wpe")); // [B, T, H]
  const h = layerNorm(x0, get("ln1.g"), get("ln1.b"), 1e-5);
  const heads = (t: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(t, [BATCH, SEQ, HEADS, HEAD]), [0, 2, 1, 3]);
  // One product for Q, K and V, then split (and concat in the backward pass).
  const [q, k, v] = tf.split(linear(h, get("qkv.w"), get("qkv.b"), "out_in"), 3, -1).map(heads) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  const causal = tf.linalg.bandPart(tf.ones([SEQ, SEQ]), -1, 0);
  const mask = tf.mul(tf.sub(1, causal), -1e9);
  const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(HEAD)), mask); // [B, heads, T, T]
  const context = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [BATCH, SEQ, HIDDEN]);
  const x1 = tf.add(x0, linear(context, get("o.w"), get("o.b"), "in_out"));
  const h2 = layerNorm(x1, get("ln2.g"), get("ln2.b"), 1e-5);
  const inner = linear(h2, get("fc.w"), get("fc.b"), "out_in");
  const activated = tf.add(gelu(inner), tf.mul(0.5, geluNew(inner)));
  const x2 = tf.add(x1, linear(activated, get("proj.w"), get("proj.b"), "in_out"));
  const logits = linear(layerNorm(x2, get("lnf.g"), get("lnf.b"), 1e-5), get("wte"), null, "out_in"); // [B, T, V]
  // oneHot is built as int32 and cast: on wasm a float32 oneHot returns int32 bit patterns.
  const targets = tf.cast(tf.oneHot(labels, VOCAB), "float32");
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1)));
}

async function run(backend: BackendName): Promise<{ loss: number; grads: Float32Array[] }> {
  const choice = await initBackend({ backend });
  assert.equal(choice.backend, backend);
  assert.equal(tf.getBackend(), backend);
  return tf.tidy(() => {
    const random = createRandom(11).fork("inputs");
    const ids = tf.tensor2d(
      Array.from({ length: BATCH * SEQ }, () => random.int(VOCAB)),
      [BATCH, SEQ],
      "int32",
    );
    const labels = tf.tensor2d(
      Array.from({ length: BATCH * SEQ }, () => random.int(VOCAB)),
      [BATCH, SEQ],
      "int32",
    );
    const params = parameters();
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => loss(ids, labels, ...p))(params);
    return { loss: value.dataSync()[0] as number, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

test("a transformer block's loss and every gradient agree on wasm and cpu to 1e-5", { timeout: 60_000 }, async () => {
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  // A loss near log(VOCAB) shows the cross-entropy is real (the wasm oneHot pitfall gives ~0).
  assert.ok(cpu.loss > 1 && cpu.loss < 10, `loss ${cpu.loss}`);
  assertClose([wasm.loss], [cpu.loss], 1e-5, "loss");
  NAMES.forEach((name, i) => {
    const expected = cpu.grads[i] as Float32Array;
    assert.ok(
      expected.some((g) => g !== 0),
      `gradient of ${name} is all zero`,
    );
    assertClose(wasm.grads[i] as Float32Array, expected, 1e-5, `gradient of ${name}`);
  });
});
