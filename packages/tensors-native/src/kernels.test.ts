import assert from "node:assert/strict";
import { test } from "node:test";
import { NATIVE_KERNELS, NATIVE_ONLY_KERNELS, registerNativeBackend } from "./index.js";
import { compare, ensureNative, nativeSkip, randomFor, randomValues, runOn, tf } from "./test-support/setup.js";
import type { Tensor } from "@tensorflow/tfjs";

test("Softmax matches the cpu backend, masked rows included", { skip: nativeSkip }, async () => {
  ensureNative();
  for (const shape of [[1], [5, 1], [3, 7], [2, 3, 4, 129]]) {
    const values = randomFor(shape, shape.length).map((v, i) => (i % 7 === 3 ? -3.4e38 : v * 20));
    await compare(`softmax [${shape}]`, () => tf.softmax(tf.tensor(values, shape)));
  }
});

test(
  "Transpose matches the cpu backend for every permutation up to rank 4 and a rank-6 one",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const permutations = (n: number): number[][] =>
      n === 1
        ? [[0]]
        : permutations(n - 1).flatMap((p) =>
            Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
          );
    const shapes = [[7], [3, 5], [2, 3, 4], [3, 1, 4, 5]];
    for (const shape of shapes) {
      const values = randomFor(shape, shape.length + 20);
      for (const perm of permutations(shape.length)) {
        await compare(`transpose [${shape}] by [${perm}]`, () => tf.transpose(tf.tensor(values, shape), perm));
      }
    }
    // Large enough to be split across threads mid-row (2^18 elements per thread).
    const big = [2, 3, 4, 5, 6, 800];
    const values = randomFor(big, 99);
    await compare("transpose rank 6", () => tf.transpose(tf.tensor(values, big), [5, 0, 3, 1, 4, 2]));
    const ints = await runOn("native", () => tf.transpose(tf.tensor2d([[1, 2, 3]], [1, 3], "int32")));
    assert.deepEqual(Array.from(ints.values), [1, 2, 3]);
  },
);

test(
  "UnsortedSegmentSum matches the cpu backend (embedding-gradient shapes, dropped ids, rank 3)",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const ids = [3, 0, 3, 7, -1, 9, 2, 3];
    const values = randomFor([8, 5], 31);
    await compare("segment sum [8,5] into 9 segments", () =>
      tf.unsortedSegmentSum(tf.tensor2d(values, [8, 5]), tf.tensor1d(ids, "int32"), 9),
    );
    await compare("segment sum [4,2,3] into 5 segments", () =>
      tf.unsortedSegmentSum(tf.tensor3d(randomFor([4, 2, 3], 32), [4, 2, 3]), tf.tensor1d([4, 1, 1, 0], "int32"), 5),
    );
    // The gradient of gather over a 1000-row table, as an embedding's backward pass computes it.
    const table = tf.tensor2d(randomFor([1000, 8], 33), [1000, 8]);
    const rows = tf.tensor1d([5, 999, 5, 0, 17], "int32");
    await compare("gather gradient", () => tf.grad((t: Tensor) => tf.sum(tf.square(tf.gather(t, rows))))(table));
  },
);

test(
  "Slice, SplitV and PadV2 match the cpu backend (ranks 1-4, sizes of -1, negative axes, slice gradients)",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const shape = [3, 5, 4, 6];
    const values = randomFor(shape, 41);
    const x = () => tf.tensor(values, shape);
    await compare("slice rank 4", () => tf.slice(x(), [1, 0, 2, 1], [2, 5, 1, 4]));
    await compare("slice with -1", () => tf.slice(x(), [0, 2, 0, 3], [-1, -1, 2, -1]));
    await compare("slice rank 1", () => tf.slice(tf.tensor1d(values.slice(0, 9)), [2], [5]));
    await compare("slice of nothing", () => tf.slice(x(), [0, 0, 0, 0], [3, 0, 4, 6]));
    await compare("causal-LM shift [b, t-1, vocab]", () => tf.slice(x(), [0, 0, 0, 0], [3, 4, 4, 6]));
    await compare("split in 3 on the last axis", () => tf.concat(tf.split(x(), 3, -1), 0));
    await compare("split by sizes with -1", () =>
      tf.concat(
        tf.split(x(), [1, -1, 2], 1).map((t) => tf.reshape(t, [-1])),
        0,
      ),
    );
    await compare("pad", () =>
      tf.pad(
        x(),
        [
          [0, 1],
          [2, 0],
          [1, 1],
          [0, 3],
        ],
        0.5,
      ),
    );
    await compare("slice gradient (PadV2)", () =>
      tf.grad((t: Tensor) => tf.sum(tf.square(tf.slice(t, [1, 1, 0, 2], [2, 3, 4, 3]))))(x()),
    );
  },
);

test(
  "Concat matches the cpu backend (every axis, negative axes, empty and single inputs, int32, gradient)",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const cache = tf.tensor(randomFor([4, 3, 5, 8], 51), [4, 3, 5, 8]);
    const step = tf.tensor(randomFor([4, 3, 1, 8], 52), [4, 3, 1, 8]);
    await compare("key/value cache append [beams, heads, length, head]", () => tf.concat([cache, step], 2));
    for (const axis of [0, 1, 3, -1]) {
      await compare(`axis ${axis}`, () => tf.concat([cache, tf.mul(cache, 2), cache], axis));
    }
    await compare("an empty input", () => tf.concat([cache, tf.zeros([4, 3, 0, 8])], 2));
    await compare("one input", () => tf.concat([step], 2));
    await compare("int32 (declined to the cpu kernel)", () =>
      tf.concat([tf.tensor2d([[1, 2]], [1, 2], "int32"), tf.tensor2d([[3]], [1, 1], "int32")], 1),
    );
    await compare("gradient", () => tf.grad((t: Tensor) => tf.sum(tf.square(tf.concat([t, tf.mul(t, 3)], 1))))(cache));
  },
);

test("native unary kernels match the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const size = 600001; // above twice the threading grain (2^18), and odd
  const signed = randomValues(size, 5).map((v) => v * 6);
  const positive = signed.map((v) => Math.abs(v) + 1e-3);
  await compare("exp", () => tf.exp(tf.tensor(signed)));
  await compare("erf", () => tf.erf(tf.tensor(signed)));
  await compare("tanh", () => tf.tanh(tf.tensor(signed)));
  await compare("sigmoid", () => tf.sigmoid(tf.tensor(signed)));
  await compare("rsqrt", () => tf.rsqrt(tf.tensor(positive)));
  await compare("sqrt", () => tf.sqrt(tf.tensor(positive)));
  await compare("log", () => tf.log(tf.tensor(positive)));
  await compare("log at and below 0 (−Infinity, NaN)", () => tf.log(tf.tensor([-1, 0, 1])));
});

test("the native backend runs every other cpu kernel unchanged and registers once", { skip: nativeSkip }, async () => {
  ensureNative();
  assert.equal(registerNativeBackend(tf), "native");
  const cpuKernels = tf
    .getKernelsForBackend("cpu")
    .map((k) => k.kernelName)
    .sort();
  const nativeKernels = tf
    .getKernelsForBackend("native")
    .map((k) => k.kernelName)
    .sort();
  assert.deepEqual(nativeKernels, [...cpuKernels, ...Object.keys(NATIVE_ONLY_KERNELS)].sort());
  for (const name of Object.keys(NATIVE_KERNELS)) assert.ok(cpuKernels.includes(name), `${name} is a cpu kernel`);
  await compare("layer norm pieces", () => {
    const x = tf.tensor(randomValues(4 * 6, 3), [4, 6]);
    const mean = tf.mean(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(x, mean)), -1, true), 1e-5)));
  });
  await tf.setBackend("native");
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    tf.softmax(tf.matMul(tf.ones([3, 4]), tf.ones([4, 5]))).dataSync();
  });
  assert.equal(tf.memory().numTensors, before, "no tensors leak");
});

test("broadcasting binary kernels match the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const pairs: [number[], number[]][] = [
    [[], []],
    [[5], []],
    [[], [5]],
    [[4, 6], [6]],
    [
      [4, 6],
      [4, 1],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [
      [2, 1, 4],
      [1, 3, 1],
    ],
    [
      [2, 3, 16, 40],
      [2, 1, 1, 40],
    ], // attention mask over the scores
  ];
  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["add", tf.add],
    ["sub", tf.sub],
    ["mul", tf.mul],
    ["div", tf.div],
    ["squaredDifference", tf.squaredDifference],
    ["maximum", tf.maximum],
    ["minimum", tf.minimum],
  ];
  let seed = 40;
  for (const [sa, sb] of pairs) {
    const av = randomFor(sa, seed++);
    const bv = randomFor(sb, seed++).map((v) => v + 2); // keep divisors away from 0
    for (const [name, op] of ops) {
      await compare(`${name} [${sa}] [${sb}]`, () => op(tf.tensor(av, sa), tf.tensor(bv, sb)));
    }
  }
  // Large enough to be split over threads (same-shape operands keep the cpu reference fast).
  const big = randomValues(3 * 200001, 49);
  await compare("add, threaded", () =>
    tf.add(
      tf.tensor(big, [3, 200001]),
      tf.tensor(
        big.map((v) => v * 3),
        [3, 200001],
      ),
    ),
  );
  await compare("NaN propagates through maximum", () => tf.maximum(tf.tensor([NaN, 1, 2]), tf.tensor([0, NaN, 1])));
  const ints = await runOn("native", () => tf.add(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")));
  assert.deepEqual(Array.from(ints.values), [4, 6]);
});

test(
  "AddN sums like the cpu backend: one to four inputs, scalars, threaded sizes, int32 left to it",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    let seed = 70;
    for (const shape of [[], [7], [3, 5], [2, 3, 4], [4, 200001]]) {
      const inputs = [1, 2, 3, 4].map(() => randomFor(shape, seed++));
      for (let n = 1; n <= inputs.length; n++) {
        const exact = await runOn("cpu", () => tf.addN(inputs.slice(0, n).map((v) => tf.tensor(v, shape))));
        const native = await runOn("native", () => tf.addN(inputs.slice(0, n).map((v) => tf.tensor(v, shape))));
        assert.deepEqual(native.shape, exact.shape);
        // The same float32 additions in the same order: equal values, not merely close ones.
        assert.deepEqual(Array.from(native.values), Array.from(exact.values), `addN of ${n} [${shape}]`);
      }
    }
    const ints = await runOn("native", () => tf.addN([tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")]));
    assert.deepEqual(Array.from(ints.values), [4, 6]);
  },
);

test(
  "a cast of int32 or bool to float32 stores float32 values, so the native kernels take it",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    // The attention-mask pattern: ids → float mask, broadcast against a causal mask.
    const mask = [1, 1, 0, 1, 0, 0];
    await compare("int32 mask cast and broadcast", () =>
      tf.mul(tf.cast(tf.tensor2d(mask, [2, 3], "int32"), "float32").reshape([2, 1, 1, 3]), tf.ones([1, 1, 3, 3])),
    );
    await compare("bool cast", () => tf.cast(tf.tensor1d([true, false, true], "bool"), "float32"));
    const previous = tf.getBackend();
    await tf.setBackend("native");
    try {
      const backend = tf.backend() as unknown as { data: { get(id: object): { values: unknown } } };
      const cast = tf.cast(tf.tensor1d([3, -2], "int32"), "float32");
      assert.ok(backend.data.get(cast.dataId).values instanceof Float32Array);
      assert.deepEqual(Array.from(await cast.data()), [3, -2]);
    } finally {
      await tf.setBackend(previous);
    }
  },
);

test("Sum, Mean, Max and Min over any axes match the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const shape = [3, 4, 5, 6];
  const values = randomValues(3 * 4 * 5 * 6, 77).map((v) => v * 10);
  const axesList: (number | number[] | undefined)[] = [undefined, -1, 0, 2, [1, 3], [0, 2, 3], [0, 1, 2, 3]];
  for (const axes of axesList) {
    for (const keepDims of [false, true]) {
      await compare(`sum ${JSON.stringify(axes)} keepDims ${keepDims}`, () =>
        tf.sum(tf.tensor(values, shape), axes, keepDims),
      );
      await compare(`mean ${JSON.stringify(axes)} keepDims ${keepDims}`, () =>
        tf.mean(tf.tensor(values, shape), axes, keepDims),
      );
      await compare(`max ${JSON.stringify(axes)} keepDims ${keepDims}`, () =>
        tf.max(tf.tensor(values, shape), axes, keepDims),
      );
      await compare(`min ${JSON.stringify(axes)} keepDims ${keepDims}`, () =>
        tf.min(tf.tensor(values, shape), axes, keepDims),
      );
    }
  }
  const long = randomValues(4 * 300007, 78);
  await compare("mean of long rows (threaded)", () => tf.mean(tf.tensor(long, [4, 300007]), -1));
  await compare("sum of a bias gradient", () => tf.sum(tf.tensor(long.subarray(0, 1000 * 400), [1000, 400]), 0));
});
