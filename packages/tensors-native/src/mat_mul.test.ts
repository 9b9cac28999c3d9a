import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assertRelClose,
  compare,
  ensureNative,
  nativeSkip,
  randomFor,
  randomValues,
  runOn,
  tf,
} from "./test-support/setup.js";
import type { Tensor } from "@tensorflow/tfjs";

const TOL = 1e-4;

/** Stored shapes of a and b for op(a)·op(b) with the given logical [..., m, k] x [..., k, n]. */
function stored(
  batchA: number[],
  batchB: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): [number[], number[]] {
  return [
    [...batchA, ...(ta ? [k, m] : [m, k])],
    [...batchB, ...(tb ? [n, k] : [k, n])],
  ];
}

const CASES: { batchA: number[]; batchB: number[]; m: number; k: number; n: number }[] = [
  { batchA: [], batchB: [], m: 1, k: 1, n: 1 },
  { batchA: [], batchB: [], m: 7, k: 5, n: 3 },
  { batchA: [], batchB: [], m: 65, k: 130, n: 33 },
  { batchA: [3], batchB: [3], m: 9, k: 17, n: 5 },
  { batchA: [2, 3], batchB: [], m: 4, k: 8, n: 6 }, // dense layer over a batch: folded into one product
  { batchA: [], batchB: [2, 3], m: 4, k: 8, n: 6 },
  { batchA: [4, 3], batchB: [1, 3], m: 6, k: 16, n: 11 },
];

test("BatchMatMul matches the cpu backend on every shape and transpose combination", { skip: nativeSkip }, async () => {
  ensureNative();
  let seed = 1;
  for (const c of CASES) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const [sa, sb] = stored(c.batchA, c.batchB, c.m, c.k, c.n, ta, tb);
        const av = randomFor(sa, seed++);
        const bv = randomFor(sb, seed++);
        const run = () => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb), ta, tb);
        const what = `a [${sa}] b [${sb}] transposeA ${ta} transposeB ${tb}`;
        await compare(what, run);
      }
    }
  }
});

test("batch broadcasting follows NumPy rules where both operands broadcast", { skip: nativeSkip }, async () => {
  ensureNative();
  // Batches [2,1] x [1,3] and [2,1] x [3]: each operand is broadcast along a different axis. tfjs's cpu kernel
  // pairs batches modulo their counts and returns half the output there, so the reference is the product of
  // explicitly tiled operands.
  const cases: [number[], number[], number[], number[]][] = [
    [
      [2, 1, 4, 5],
      [1, 3, 5, 6],
      [1, 3, 1, 1],
      [2, 1, 1, 1],
    ],
    [
      [2, 1, 4, 5],
      [3, 5, 6],
      [1, 3, 1, 1],
      [2, 1, 1],
    ],
  ];
  let seed = 11;
  for (const [sa, sb, tileA, tileB] of cases) {
    const av = randomFor(sa, seed++);
    const bv = randomFor(sb, seed++);
    const tiledB = sb.length < sa.length ? [1, ...sb] : sb;
    const expected = await runOn("cpu", () =>
      tf.matMul(
        tf.tile(tf.tensor(av, sa), tileA),
        tf.tile(tf.tensor(bv, tiledB), [...tileB, ...(tileB.length < 4 ? [1] : [])]),
      ),
    );
    const actual = await runOn("native", () => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb)));
    assert.deepEqual(actual.shape, [2, 3, 4, 6]);
    assertRelClose(actual.values, expected.values, TOL, `[${sa}] x [${sb}]`);
  }
});

test(
  "an empty inner dimension gives zeros and int32 products fall back to the cpu kernel",
  { skip: nativeSkip },
  async () => {
    ensureNative();
    const empty = await runOn("native", () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
    assert.deepEqual(empty.shape, [3, 4]);
    assert.deepEqual(Array.from(empty.values), new Array(12).fill(0));
    const ints = await runOn("native", () =>
      tf.matMul(
        tf.tensor2d(
          [
            [1, 2],
            [3, 4],
          ],
          [2, 2],
          "int32",
        ),
        tf.tensor2d([[5], [6]], [2, 1], "int32"),
      ),
    );
    assert.deepEqual(Array.from(ints.values), [17, 39]);
  },
);

test("mismatched inner dimensions throw rather than read past a buffer", { skip: nativeSkip }, async () => {
  ensureNative();
  await tf.setBackend("native");
  assert.throws(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 2])), /inner (shapes|dimensions)/);
});

test("_FusedMatMul with bias and each activation matches the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const m = 13;
  const k = 21;
  const n = 9;
  const cases: {
    activation: "linear" | "relu" | "relu6" | "leakyrelu" | "elu" | "sigmoid" | "prelu";
    bias: number[] | null;
    ta: boolean;
    tb: boolean;
    batch: number[];
  }[] = [
    { activation: "linear", bias: [n], ta: false, tb: false, batch: [] },
    { activation: "relu", bias: [n], ta: false, tb: true, batch: [] },
    { activation: "relu6", bias: [1, n], ta: true, tb: false, batch: [2] },
    { activation: "leakyrelu", bias: [n], ta: true, tb: true, batch: [] },
    { activation: "elu", bias: null, ta: false, tb: false, batch: [3] },
    { activation: "sigmoid", bias: [n], ta: false, tb: false, batch: [] },
    { activation: "prelu", bias: [n], ta: false, tb: false, batch: [] }, // declines to the cpu kernel
    { activation: "linear", bias: [m, n], ta: false, tb: false, batch: [] }, // full-matrix bias: cpu kernel
  ];
  let seed = 100;
  for (const c of cases) {
    const [sa, sb] = stored(c.batch, [], m, k, n, c.ta, c.tb);
    const av = randomFor(sa, seed++).map((v) => v * 4);
    const bv = randomFor(sb, seed++);
    const biasv = c.bias === null ? null : randomFor(c.bias, seed++);
    const alpha = randomValues(n, seed++);
    const run = () =>
      tf.fused.matMul({
        a: tf.tensor(av, sa),
        b: tf.tensor(bv, sb),
        transposeA: c.ta,
        transposeB: c.tb,
        bias: biasv === null || c.bias === null ? undefined : tf.tensor(biasv, c.bias),
        activation: c.activation,
        preluActivationWeights: c.activation === "prelu" ? tf.tensor(alpha, [n]) : undefined,
        leakyreluAlpha: 0.1,
      });
    const what = `fused ${c.activation} bias ${JSON.stringify(c.bias)} ta ${c.ta} tb ${c.tb}`;
    await compare(what, run);
  }
});

test("matMul gradients (transposed products) match the cpu backend", { skip: nativeSkip }, async () => {
  ensureNative();
  const av = randomValues(6 * 10, 7);
  const bv = randomValues(10 * 4, 8);
  const grads = (backend: string) =>
    runOn(backend, () => {
      const [ga, gb] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([
        tf.tensor(av, [6, 10]),
        tf.tensor(bv, [10, 4]),
      ]);
      return tf.concat([tf.reshape(ga as Tensor, [-1]), tf.reshape(gb as Tensor, [-1])]);
    });
  const expected = await grads("cpu");
  const actual = await grads("native");
  assertRelClose(actual.values, expected.values, TOL, "d/da, d/db of sum((a·b)²)");
});
