import assert from "node:assert/strict";
import { before, test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import { initBackend, tf } from "@warmstart/tensors";
import { AdamW } from "./adamw.js";

// Hand computation, θ0 = [1, -2], β = (0.9, 0.999), ε = 1e-8, λ = 0.01.
// Update 1, g = [0.5, -1], lr = 0.1: decay θ·(1 − 0.001) = [0.999, -1.998]; m = [0.05, -0.1];
//   v = [2.5e-4, 1e-3]; step size 0.1/(1−0.9) = 1; √v/√(1−0.999) = [0.5, 1];
//   θ = [0.999 − 0.05/0.5, -1.998 + 0.1/1] = [0.899, -1.898].
// Update 2, g = [0.1, 0.3], lr = 0.05: decay ·0.9995 → [0.8985505, -1.897051]; m = [0.055, -0.06];
//   v = [2.5975e-4, 1.089e-3]; step size 0.05/0.19 = 0.2631579; √(1−0.999²) = 0.04471018;
//   √v/0.04471018 = [0.360470, 0.738082]; θ = [0.8985505 − 0.2631579·0.055/0.360470,
//   -1.897051 + 0.2631579·0.06/0.738082] = [0.8583985, -1.8756586].
const updates: Array<[number[], number]> = [
  [[0.5, -1], 0.1],
  [[0.1, 0.3], 0.05],
];

async function run(name: string): Promise<number[][]> {
  const variable = tf.variable(tf.tensor1d([1, -2]));
  const optimizer = new AdamW({ weightDecay: 0.01 });
  const seen: number[][] = [];
  for (const [g, lr] of updates) {
    await optimizer.step([{ name, variable, grad: Float32Array.from(g) }], lr);
    seen.push([...(await variable.data())]);
  }
  variable.dispose();
  return seen;
}

before(async () => {
  await initBackend();
});

test("AdamW matches hand-computed updates with decoupled decay", async () => {
  const [first, second] = await run("encoder.layer.0.attention.self.query.weight");
  assertClose(first as number[], [0.899, -1.898], 1e-6, "after update 1");
  assertClose(second as number[], [0.8583985, -1.8756586], 1e-6, "after update 2");
});

test("AdamW does not decay biases or LayerNorm weights", async () => {
  // Same as above without the decay factors: [1 − 0.1, -2 + 0.1] then [0.9 − 0.040152, -1.9 + 0.021392].
  for (const name of ["encoder.layer.0.output.LayerNorm.weight", "decoder.bert.pooler.dense.bias"]) {
    const [first, second] = await run(name);
    assertClose(first as number[], [0.9, -1.9], 1e-6, `${name} after update 1`);
    assertClose(second as number[], [0.859848, -1.8786076], 1e-6, `${name} after update 2`);
  }
});

test("AdamW replaces the variable's tensor and leaks nothing", async () => {
  const variable = tf.variable(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
  );
  const optimizer = new AdamW();
  const before = tf.memory().numTensors;
  const oldId = variable.dataId;
  await optimizer.step([{ name: "w", variable, grad: Float32Array.from([1, 1, 1, 1]) }], 0.1);
  assert.notEqual(variable.dataId, oldId, "a new tensor must back the variable after an update");
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(variable.shape, [2, 2]);
  variable.dispose();
});

test("AdamW state round-trips: a restored optimizer continues identically", async () => {
  const grads = [Float32Array.from([0.3, -0.2, 0.1]), Float32Array.from([-0.5, 0.4, 0.9])];
  const a = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]));
  const b = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]));
  const first = new AdamW();
  await first.step([{ name: "w", variable: a, grad: grads[0] as Float32Array }], 0.01);
  b.assign(a);
  const second = new AdamW();
  second.loadState(first.getState());
  await first.step([{ name: "w", variable: a, grad: grads[1] as Float32Array }], 0.01);
  await second.step([{ name: "w", variable: b, grad: grads[1] as Float32Array }], 0.01);
  assert.deepEqual([...(await a.data())], [...(await b.data())]);
  assert.equal(second.getState().parameters.get("w")?.step, 2);
  a.dispose();
  b.dispose();
});

test("AdamW rejects a gradient of the wrong size and bad hyper-parameters", async () => {
  const variable = tf.variable(tf.tensor1d([1, 2]));
  await assert.rejects(new AdamW().step([{ name: "w", variable, grad: new Float32Array(3) }], 0.1), {
    code: "INVALID_STATE",
  });
  assert.throws(() => new AdamW({ betas: [1, 0.999] }), { code: "INVALID_OPTION" });
  variable.dispose();
});

test("the next forward pass sees the updated weights (wasm caches packed matmul operands)", async () => {
  // [1, 1] x W with W as the right operand, the case XNNPACK packs and caches.
  const variable = tf.variable(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
  );
  const x = tf.tensor2d([[1, 1]]);
  const before = tf.matMul(x, variable);
  assert.deepEqual([...(await before.data())], [4, 6]);
  await new AdamW({ weightDecay: 0 }).step([{ name: "w", variable, grad: Float32Array.from([1, -1, 1, -1]) }], 0.5);
  // First Adam update moves each weight by lr·sign(g): W = [[0.5, 2.5], [2.5, 4.5]].
  const after = tf.matMul(x, variable);
  assertClose([...(await after.data())], [3, 7], 1e-5, `x·W on ${tf.getBackend()}`);
  tf.dispose([before, after, x, variable]);
});
