import assert from "node:assert/strict";
import { test } from "node:test";
import { NATIVE_KERNEL_NAMES } from "./index.js";
import { assertRelClose, compare, ensureNative, nativeSkip, randomFor, runOn, tf } from "./test-support/setup.js";
import type { Tensor } from "@tensorflow/tfjs";

/** A native-only kernel's outputs against the same math composed from tfjs ops on the cpu backend. */
async function kernelMatches(
  what: string,
  count: number,
  native: () => Tensor[],
  composed: () => Tensor[],
  tol = 1e-5,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const expected = await runOn("cpu", () => composed()[i] as Tensor);
    const actual = await runOn("native", () => native()[i] as Tensor);
    assert.deepEqual(actual.shape, expected.shape, `${what} output ${i}`);
    assertRelClose(actual.values, expected.values, tol, `${what} output ${i}`);
  }
}

const run = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, number> = {}): Tensor[] => {
  const out = tf.engine().runKernel(name, inputs, attrs) as Tensor | Tensor[];
  return Array.isArray(out) ? out : [out];
};

test("reductions over leading and middle axes match the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const a = randomFor([37, 300], 1);
  const b = randomFor([3, 4, 5, 260], 2);
  await compare("sum over rows (a bias gradient)", () => tf.sum(tf.tensor(a, [37, 300]), 0));
  await compare("mean over axes 0,1", () => tf.mean(tf.tensor(b, [3, 4, 5, 260]), [0, 1]));
  await compare("max over axis 2", () => tf.max(tf.tensor(b, [3, 4, 5, 260]), 2));
  await compare("min over axis 1, keepDims", () => tf.min(tf.tensor(b, [3, 4, 5, 260]), 1, true));
  await compare("sum over axes 0 and 2 (not contiguous)", () => tf.sum(tf.tensor(b, [3, 4, 5, 260]), [0, 2]));
});

test("GatherV2 matches the cpu backend on every axis and rejects bad indices there", { skip: nativeSkip }, async () => {
  ensureNative();
  const table = randomFor([50, 3, 7], 3);
  const ids = [4, 0, 49, 4];
  await compare("rows", () => tf.gather(tf.tensor(table, [50, 3, 7]), tf.tensor1d(ids, "int32")));
  await compare("axis 2, 2-D indices", () =>
    tf.gather(
      tf.tensor(table, [50, 3, 7]),
      tf.tensor2d(
        [
          [6, 0],
          [1, 1],
        ],
        [2, 2],
        "int32",
      ),
      2,
    ),
  );
  await compare("flat picks", () =>
    tf.gather(tf.reshape(tf.tensor(table, [50, 3, 7]), [-1]), tf.tensor1d([1049, 0, 7], "int32")),
  );
  await tf.setBackend("native");
  assert.throws(() => tf.gather(tf.tensor(table, [50, 3, 7]), tf.tensor1d([50], "int32")).dataSync(), /50/);
});

test("WarmstartLayerNorm and its gradient match the composed LayerNorm", { skip: nativeSkip }, async () => {
  ensureNative();
  const shape = [6, 5, 300];
  const x = randomFor(shape, 4).map((v, i) => v * 3 + (i % 300 === 0 ? 10 : 0));
  const g = randomFor([300], 5);
  const b = randomFor([300], 6);
  const dy = randomFor(shape, 7);
  const composed = (xs: Tensor, gamma: Tensor, beta: Tensor): Tensor => {
    const mean = tf.mean(xs, -1, true);
    const centred = tf.sub(xs, mean);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), 1e-12))), gamma), beta);
  };
  const inputs = () => ({ x: tf.tensor(x, shape), gamma: tf.tensor1d(g), beta: tf.tensor1d(b) });
  await kernelMatches(
    "forward",
    1,
    () => run(NATIVE_KERNEL_NAMES.layerNorm, inputs(), { eps: 1e-12 }).slice(0, 1),
    () => [composed(inputs().x, inputs().gamma, inputs().beta)],
  );
  await kernelMatches(
    "gradients",
    3,
    () => {
      const { x: xs, gamma, beta } = inputs();
      const [, mean, rstd] = run(NATIVE_KERNEL_NAMES.layerNorm, { x: xs, gamma, beta }, { eps: 1e-12 });
      return run(NATIVE_KERNEL_NAMES.layerNormGrad, {
        dy: tf.tensor(dy, shape),
        x: xs,
        gamma,
        mean: mean as Tensor,
        rstd: rstd as Tensor,
      });
    },
    () => {
      const { x: xs, gamma, beta } = inputs();
      return tf.grads((a: Tensor, c: Tensor, d: Tensor) => tf.sum(tf.mul(composed(a, c, d), tf.tensor(dy, shape))))([
        xs,
        gamma,
        beta,
      ]);
    },
    1e-4,
  );
});

test("WarmstartGelu and its gradient match the erf composition", { skip: nativeSkip }, async () => {
  ensureNative();
  const size = 40001;
  const x = randomFor([size], 8).map((v) => v * 6);
  const dy = randomFor([size], 9);
  const phi = (t: Tensor) => tf.mul(0.5, tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
  await kernelMatches(
    "gelu",
    1,
    () => run(NATIVE_KERNEL_NAMES.gelu, { x: tf.tensor(x) }),
    () => [tf.mul(tf.tensor(x), phi(tf.tensor(x)))],
  );
  await kernelMatches(
    "gelu gradient",
    1,
    () => run(NATIVE_KERNEL_NAMES.geluGrad, { x: tf.tensor(x), dy: tf.tensor(dy) }),
    () => {
      const t = tf.tensor(x);
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(t))));
      return [tf.mul(tf.tensor(dy), tf.add(phi(t), tf.mul(t, pdf)))];
    },
  );
});

test("WarmstartMaskedSoftmax and its gradient match scale, mask add and softmax", { skip: nativeSkip }, async () => {
  ensureNative();
  const shape = [2, 3, 5, 40];
  const x = randomFor(shape, 10).map((v) => v * 8);
  const dy = randomFor(shape, 11);
  for (const maskShape of [[2, 1, 1, 40], [1, 1, 5, 40], [2, 3, 5, 40], null]) {
    const mask =
      maskShape === null ? null : randomFor(maskShape, 12).map((v, i) => (i % 9 === 2 ? -3.4028234663852886e38 : v));
    const maskTensor = () => (maskShape === null || mask === null ? undefined : tf.tensor(mask, maskShape));
    const composed = (t: Tensor) => {
      const m = maskTensor();
      return tf.softmax(m === undefined ? tf.mul(t, 0.125) : tf.add(tf.mul(t, 0.125), m));
    };
    const fused = () => {
      const m = maskTensor();
      return run(
        NATIVE_KERNEL_NAMES.maskedSoftmax,
        m === undefined ? { x: tf.tensor(x, shape) } : { x: tf.tensor(x, shape), mask: m },
        { scale: 0.125 },
      );
    };
    await kernelMatches(`mask [${maskShape}]`, 1, fused, () => [composed(tf.tensor(x, shape))]);
    await kernelMatches(
      `gradient, mask [${maskShape}]`,
      1,
      () =>
        run(
          NATIVE_KERNEL_NAMES.maskedSoftmaxGrad,
          { y: fused()[0] as Tensor, dy: tf.tensor(dy, shape) },
          { scale: 0.125 },
        ),
      () => [tf.grad((t: Tensor) => tf.sum(tf.mul(composed(t), tf.tensor(dy, shape))))(tf.tensor(x, shape))],
    );
  }
});

test(
  "WarmstartSoftmaxCrossEntropy and its gradient match logsumexp and softmax minus one-hot",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const [rows, cols] = [33, 1000];
    const x = randomFor([rows, cols], 13).map((v, i) => v * 12 + (i === 5 * cols + 7 ? 90 : 0));
    const targets = Array.from({ length: rows }, (_, r) => (r * 37) % cols);
    const weights = Array.from({ length: rows }, (_, r) => (r % 5 === 1 ? 0 : 1 / rows));
    const inputs = () => ({
      logits: tf.tensor2d(x, [rows, cols]),
      targets: tf.tensor1d(targets, "int32"),
      weights: tf.tensor1d(weights),
    });
    const oneHot = () => tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), cols), "float32");
    await kernelMatches(
      "loss and logsumexp",
      2,
      () => run(NATIVE_KERNEL_NAMES.softmaxCrossEntropy, inputs()),
      () => {
        const lse = tf.logSumExp(tf.tensor2d(x, [rows, cols]), 1);
        const picked = tf.sum(tf.mul(tf.tensor2d(x, [rows, cols]), oneHot()), 1);
        return [tf.sum(tf.mul(tf.sub(lse, picked), tf.tensor1d(weights))), lse];
      },
    );
    await kernelMatches(
      "gradient",
      1,
      () => {
        const i = inputs();
        const [, lse] = run(NATIVE_KERNEL_NAMES.softmaxCrossEntropy, i);
        return run(NATIVE_KERNEL_NAMES.softmaxCrossEntropyGrad, { ...i, lse: lse as Tensor, dy: tf.scalar(0.75) });
      },
      () => [
        tf.mul(
          tf.mul(tf.sub(tf.softmax(tf.tensor2d(x, [rows, cols])), oneHot()), tf.tensor2d(weights, [rows, 1])),
          0.75,
        ),
      ],
    );
    await tf.setBackend("native");
    assert.throws(
      () =>
        run(NATIVE_KERNEL_NAMES.softmaxCrossEntropy, {
          ...inputs(),
          targets: tf.tensor1d([...targets.slice(1), cols], "int32"),
        }),
      /outside \[0, cols\)/,
    );
    assert.throws(
      () => run(NATIVE_KERNEL_NAMES.softmaxCrossEntropy, { ...inputs(), targets: tf.tensor1d(targets, "float32") }),
      /WarmstartSoftmaxCrossEntropy: expects float32 logits/,
    );
  },
);

test("a native-only kernel names itself when its inputs are unsupported", { skip: nativeSkip }, async () => {
  ensureNative();
  await tf.setBackend("native");
  assert.throws(
    () => run(NATIVE_KERNEL_NAMES.maskedSoftmax, { x: tf.ones([4, 4]) }),
    /WarmstartMaskedSoftmax: unsupported inputs/,
  );
});
