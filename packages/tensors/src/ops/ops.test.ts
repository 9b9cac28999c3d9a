import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose, nativeSkipReason } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { isAvailable as nativeAvailable, unavailableReason } from "@warmstart/tensors-native";
import { initBackend } from "../backend.js";
import { createRandom } from "../random.js";
import { gelu, geluNew } from "./gelu.js";
import { layerNorm } from "./layer_norm.js";
import { scaledMaskedSoftmax } from "./softmax.js";
import { softmaxCrossEntropy } from "./cross_entropy.js";
import { linear, type LinearLayout } from "./linear.js";

const backends = ["wasm", "cpu", "native"] as const;
/** Native runs its own kernels (flags, fused LayerNorm and GELU); skipped where its addon did not build. */
const skip = (backend: (typeof backends)[number]): string | false =>
  backend === "native" ? nativeSkipReason(nativeAvailable(), unavailableReason) : false;

/** The straightforward formulation linear() must equal: tfjs's matMul with a transpose flag, and its gradients. */
function naive(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, layout: LinearLayout): tf.Tensor {
  const x2 = tf.reshape(x, [-1, x.shape[x.rank - 1] as number]) as tf.Tensor2D;
  const y = tf.matMul(x2, w as tf.Tensor2D, false, layout === "out_in");
  const out = b === null ? y : tf.add(y, b);
  return tf.reshape(out, [...x.shape.slice(0, -1), w.shape[layout === "out_in" ? 0 : 1] as number]);
}

for (const backend of backends) {
  for (const layout of ["out_in", "in_out"] as const) {
    for (const withBias of [true, false]) {
      test(
        `linear ${layout}${withBias ? " + bias" : ""} on ${backend}: value and gradients equal the naive product to 1e-5`,
        { skip: skip(backend) },
        async () => {
          await initBackend({ backend });
          const random = createRandom(5).fork(`${layout}${withBias}`);
          const x = random.normal([2, 3, 6]);
          const w = random.normal(layout === "out_in" ? [4, 6] : [6, 4]);
          const b = withBias ? random.normal([4]) : null;
          const upstream = random.normal([2, 3, 4]);
          const inputs = b === null ? [x, w] : [x, w, b];
          const objective =
            (f: typeof linear) =>
            (...t: tf.Tensor[]) =>
              tf.sum(
                tf.mul(
                  f(t[0] as tf.Tensor, t[1] as tf.Tensor, (t[2] as tf.Tensor | undefined) ?? null, layout),
                  upstream,
                ),
              );
          const fast = tf.valueAndGrads(objective(linear))(inputs);
          const slow = tf.valueAndGrads(objective(naive))(inputs);
          assertClose(linear(x, w, b, layout).dataSync(), naive(x, w, b, layout).dataSync(), 1e-5, "value");
          assertClose(fast.value.dataSync(), slow.value.dataSync(), 1e-5, "objective");
          fast.grads.forEach((g, i) => {
            assert.deepEqual(g.shape, (inputs[i] as tf.Tensor).shape);
            assertClose(g.dataSync(), (slow.grads[i] as tf.Tensor).dataSync(), 1e-5, `gradient ${i}`);
          });
        },
      );
    }
  }
}

test("linear names the mismatch when shapes disagree", () => {
  const x = tf.ones([2, 5]);
  assert.throws(() => linear(x, tf.ones([4, 6]), null, "out_in"), /last axis is 5.*takes 6 inputs/);
  assert.throws(() => linear(x, tf.ones([5, 4]), tf.ones([3]), "in_out"), /bias shape \[3\] must be \[4\]/);
});

for (const backend of backends) {
  test(
    `gelu (erf form) and geluNew (tanh form) on ${backend}: values and gradients`,
    { skip: skip(backend) },
    async () => {
      await initBackend({ backend });
      const points = [-3, -1, -0.5, 0, 0.3, 1, 2.5];
      const x = tf.tensor1d(points);
      // Φ from the complementary error function of a double-precision series, not from tfjs.
      const phi = (v: number): number => 0.5 * (1 + erf(v / Math.SQRT2));
      assertClose(
        gelu(x).dataSync(),
        points.map((v) => v * phi(v)),
        2e-6,
        "gelu",
      );
      const dGelu = points.map((v) => phi(v) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
      assertClose(tf.grad(gelu)(x).dataSync(), dGelu, 2e-6, "gelu gradient");
      const c = Math.sqrt(2 / Math.PI);
      const tanhForm = (v: number): number => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)));
      assertClose(geluNew(x).dataSync(), points.map(tanhForm), 2e-6, "geluNew");
      const h = 1e-4;
      const numeric = points.map((v) => (tanhForm(v + h) - tanhForm(v - h)) / (2 * h));
      assertClose(tf.grad(geluNew)(x).dataSync(), numeric, 1e-4, "geluNew gradient");
    },
  );

  test(
    `layerNorm on ${backend}: gradients equal finite differences of the value`,
    { skip: skip(backend) },
    async () => {
      await initBackend({ backend });
      const random = createRandom(11).fork("layerNorm");
      const x = random.normal([3, 2, 5]);
      const gamma = random.normal([5]);
      const beta = random.normal([5]);
      const upstream = random.normal([3, 2, 5]);
      const objective = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(xs, g, b, 1e-5), upstream));
      const grads = tf.grads(objective)([x, gamma, beta]);
      const h = 1e-2;
      [x, gamma, beta].forEach((input, which) => {
        const base = Array.from(input.dataSync());
        const numeric = base.map((_, i) => {
          const shifted = (delta: number) => {
            const values = base.slice();
            values[i] = (values[i] as number) + delta;
            const args = [x, gamma, beta];
            args[which] = tf.tensor(values, input.shape);
            return objective(args[0] as tf.Tensor, args[1] as tf.Tensor, args[2] as tf.Tensor).dataSync()[0] as number;
          };
          return (shifted(h) - shifted(-h)) / (2 * h);
        });
        assert.deepEqual((grads[which] as tf.Tensor).shape, input.shape);
        assertClose((grads[which] as tf.Tensor).dataSync(), numeric, 5e-3, `gradient ${which}`);
      });
    },
  );

  test(
    `layerNorm on ${backend} normalises the last axis with the biased variance`,
    { skip: skip(backend) },
    async () => {
      await initBackend({ backend });
      const rows = [
        [1, 2, 3, 4],
        [0, 0, 0, 8],
      ];
      const gamma = [1, 2, 1, 1];
      const beta = [0, 0, 1, 0];
      const y = layerNorm(tf.tensor2d(rows), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5);
      const expected = rows.flatMap((r) => {
        const mean = r.reduce((a, b) => a + b) / r.length;
        const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length;
        return r.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * (gamma[i] as number) + (beta[i] as number));
      });
      assertClose(y.dataSync(), expected, 1e-5, "layerNorm");
    },
  );
}

for (const backend of backends) {
  test(
    `scaledMaskedSoftmax on ${backend}: value and gradient equal softmax(scale·x + mask)`,
    { skip: skip(backend) },
    async () => {
      await initBackend({ backend });
      const random = createRandom(13).fork("softmax");
      const scores = tf.mul(random.normal([2, 3, 4, 6]), 4) as tf.Tensor4D;
      const upstream = random.normal([2, 3, 4, 6]);
      // Padding on the last key of batch 1, as paddingMask builds it.
      const mask = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -3.4028234663852886e38], [2, 1, 1, 6]);
      for (const m of [mask, undefined]) {
        const naive = (x: tf.Tensor) => tf.softmax(m === undefined ? tf.mul(x, 0.5) : tf.add(tf.mul(x, 0.5), m));
        const fused = (x: tf.Tensor) => scaledMaskedSoftmax(x as tf.Tensor4D, m, 0.5);
        assertClose(fused(scores).dataSync(), naive(scores).dataSync(), 1e-6, "value");
        const objective = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(f(x), upstream));
        assertClose(
          tf.grad(objective(fused))(scores).dataSync(),
          tf.grad(objective(naive))(scores).dataSync(),
          1e-6,
          "gradient",
        );
      }
      assert.equal(
        scaledMaskedSoftmax(scores, mask, 0.5).slice([1, 0, 0, 5], [1, 1, 1, 1]).dataSync()[0],
        0,
        "masked key",
      );
    },
  );
}

/** erf by its Maclaurin series (converges fast for |x| < 3). */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

for (const backend of backends) {
  test(
    `softmaxCrossEntropy on ${backend}: value and gradient equal the log-softmax formulation and finite differences`,
    { skip: skip(backend) },
    async () => {
      await initBackend({ backend });
      const random = createRandom(17).fork("cross-entropy");
      const [rows, vocab] = [7, 300];
      // Large logits in one row: a logsumexp without the max shift would overflow there.
      const logits = tf.add(
        tf.mul(random.normal([rows, vocab]), 3),
        tf.oneHot([0, 0, 0, 0, 0, 0, 90], vocab).mul(80),
      ) as tf.Tensor2D;
      const targets = [3, 299, 0, 17, 17, 150, 90];
      // Row 2 dropped (a -100 label), the others weighted as a mean over six tokens, one twice.
      const weights = [1, 1, 0, 1, 2, 1, 1].map((w) => w / 7);
      const naive = (x: tf.Tensor) =>
        tf.neg(
          tf.sum(
            tf.mul(
              tf.mul(tf.logSoftmax(x), tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), vocab), "float32")),
              tf.tensor2d(weights, [rows, 1]),
            ),
          ),
        );
      const fused = (x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, targets, weights);
      assertClose(fused(logits).dataSync(), naive(logits).dataSync(), 1e-5, "value");
      const gradient = tf.grad(fused)(logits) as tf.Tensor2D;
      assertClose(gradient.dataSync(), tf.grad(naive)(logits).dataSync(), 1e-6, "gradient");
      assert.ok(
        gradient
          .slice([2, 0], [1, vocab])
          .dataSync()
          .every((g) => g === 0),
        "a weight-0 row has no gradient",
      );
      // Finite differences of the value on a few entries of each row, the target's among them.
      const base = logits.arraySync();
      const h = 1e-2;
      for (const [r, c] of [
        [0, 3],
        [0, 4],
        [1, 299],
        [3, 17],
        [4, 17],
        [4, 0],
        [6, 90],
        [6, 91],
      ] as const) {
        const shifted = (delta: number) => {
          const values = base.map((row) => row.slice());
          values[r]![c] = (values[r]![c] as number) + delta;
          return fused(tf.tensor2d(values)).dataSync()[0] as number;
        };
        const numeric = (shifted(h) - shifted(-h)) / (2 * h);
        assertClose([gradient.arraySync()[r]![c] as number], [numeric], 2e-3, `gradient [${r}, ${c}]`);
      }
      assert.throws(() => softmaxCrossEntropy(logits, [...targets.slice(0, 6), vocab], weights), /target 300 of row 6/);
      assert.throws(() => softmaxCrossEntropy(logits, targets.slice(1), weights), /6 targets and 7 weights/);
    },
  );
}
