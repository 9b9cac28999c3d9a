import assert from "node:assert/strict";
import { before, test } from "node:test";
import { assertClose } from "@warmstart/test-utils";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.js";
import { createRandom } from "../random.js";

before(async () => {
  assert.equal((await initBackend({ backend: "wasm" })).backend, "wasm");
});

/** Einsum by its definition: loop over every assignment of every letter. */
function naiveEinsum(
  equation: string,
  operands: { shape: number[]; values: Float32Array }[],
): { shape: number[]; values: number[] } {
  const [lhs, output] = equation.split("->") as [string, string];
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((t, i) =>
    [...t].forEach((c, j) => size.set(c, (operands[i] as { shape: number[] }).shape[j] as number)),
  );
  const letters = [...size.keys()];
  const outShape = [...output].map((c) => size.get(c) as number);
  const values = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const at = new Map<string, number>();
  const flat = (term: string, shape: number[]): number =>
    [...term].reduce((idx, c, j) => idx * (shape[j] as number) + (at.get(c) as number), 0);
  const visit = (depth: number): void => {
    if (depth === letters.length) {
      let product = 1;
      terms.forEach(
        (t, i) =>
          (product *= (operands[i] as { values: Float32Array }).values[
            flat(t, (operands[i] as { shape: number[] }).shape)
          ] as number),
      );
      const outIndex = flat(output, outShape);
      values[outIndex] = (values[outIndex] as number) + product;
      return;
    }
    const c = letters[depth] as string;
    for (let v = 0; v < (size.get(c) as number); v++) {
      at.set(c, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return { shape: outShape, values };
}

const EQUATIONS: [string, number[][]][] = [
  [
    "ij,jk->ik",
    [
      [3, 4],
      [4, 5],
    ],
  ],
  [
    "bhqd,bhkd->bhqk",
    [
      [2, 3, 4, 5],
      [2, 3, 6, 5],
    ],
  ],
  [
    "bqhd,bkhd->bhqk",
    [
      [2, 4, 3, 5],
      [2, 6, 3, 5],
    ],
  ],
  [
    "ij,kj->",
    [
      [3, 4],
      [5, 4],
    ],
  ],
  ["ij,j->i", [[3, 4], [4]]],
  [
    "ab,cd->dacb",
    [
      [2, 3],
      [4, 5],
    ],
  ],
  [
    "abc,cd->bd",
    [
      [2, 3, 4],
      [4, 5],
    ],
  ],
  ["ijk->ki", [[2, 3, 4]]],
  ["ij->", [[3, 4]]],
  ["ij->ij", [[3, 4]]],
];

for (const [equation, shapes] of EQUATIONS) {
  test(`Einsum "${equation}" on wasm matches the definition`, () => {
    const random = createRandom(3).fork(equation);
    const tensors = shapes.map((s) => random.normal(s));
    const result = tf.einsum(equation, ...tensors);
    const expected = naiveEinsum(
      equation,
      tensors.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array })),
    );
    assert.deepEqual(result.shape, expected.shape);
    assertClose(result.dataSync(), expected.values, 1e-5, equation);
    tf.dispose([...tensors, result]);
  });
}

test("Einsum on wasm reports unsupported or inconsistent equations", () => {
  const a = tf.ones([2, 3]);
  assert.throws(() => tf.einsum("ij,jk->ik", a, tf.ones([4, 2])), /letter "j"/);
  assert.throws(() => tf.einsum("ii->i", tf.ones([2, 2])), /repeats a letter|diagonal|Support/i);
  tf.dispose(a);
});

test("UnsortedSegmentSum on wasm sums rows per segment and drops out-of-range ids", () => {
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 1, 3]);
  const ids = tf.tensor1d([2, 0, 2, 7], "int32");
  const sums = tf.unsortedSegmentSum(x, ids, 3);
  assert.deepEqual(sums.shape, [3, 1, 3]);
  assert.deepEqual(Array.from(sums.dataSync()), [4, 5, 6, 0, 0, 0, 8, 10, 12]);
  const ints = tf.unsortedSegmentSum(tf.tensor1d([5, 6, 7], "int32"), tf.tensor1d([1, 1, 0], "int32"), 2);
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(Array.from(ints.dataSync()), [7, 11]);
});

test("gather's gradient (every embedding's) runs on wasm and accumulates repeated ids", () => {
  const table = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const grad = tf.grad((t: tf.Tensor) =>
    tf.sum(
      tf.mul(
        tf.gather(t, tf.tensor1d([2, 0, 2], "int32")),
        tf.tensor2d([
          [1, 10],
          [100, 1000],
          [2, 20],
        ]),
      ),
    ),
  )(table);
  assert.deepEqual(Array.from(grad.dataSync()), [100, 1000, 0, 0, 3, 30]);
});

/** out[i] = op(a[i]) · op(b[i]) with batch broadcasting, by the definition. */
function naiveMatMul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): number[] {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ca, ra] : [ra, ca];
  const n = transposeB ? rb : cb;
  const batchA = av.length / (ra * ca);
  const batchB = bv.length / (rb * cb);
  const out: number[] = [];
  for (let i = 0; i < Math.max(batchA, batchB); i++) {
    const ao = (batchA === 1 ? 0 : i) * ra * ca;
    const bo = (batchB === 1 ? 0 : i) * rb * cb;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let sum = 0;
        for (let j = 0; j < k; j++) {
          sum +=
            (av[ao + (transposeA ? j * ca + r : r * ca + j)] as number) *
            (bv[bo + (transposeB ? c * cb + j : j * cb + c)] as number);
        }
        out.push(sum);
      }
    }
  }
  return out;
}

const PRODUCTS: [number[], number[], boolean, boolean][] = [
  [[6, 5, 4], [6, 4, 3], false, false],
  [[2, 3, 5, 4], [2, 3, 7, 4], false, true],
  [[2, 3, 4, 5], [2, 3, 4, 7], true, false],
  [[3, 4, 5], [3, 6, 4], true, true],
  [[4, 5, 6], [6, 3], false, false],
  [[5, 6], [2, 6, 3], false, false],
  [[5, 6], [7, 6], false, true],
  [[5, 6], [6, 7], false, false],
];

for (const [aShape, bShape, transposeA, transposeB] of PRODUCTS) {
  test(`BatchMatMul on wasm: [${aShape}]${transposeA ? "ᵀ" : ""} x [${bShape}]${transposeB ? "ᵀ" : ""} matches the definition`, () => {
    const random = createRandom(8).fork(`${aShape}|${bShape}|${transposeA}|${transposeB}`);
    const a = random.normal(aShape);
    const b = random.normal(bShape);
    const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const y = tf.matMul(a, b, transposeA, transposeB);
    assertClose(y.dataSync(), naiveMatMul(a, b, transposeA, transposeB), 1e-5, "product");
    y.dispose();
    // The per-matrix heap views are unregistered again: nothing but the operands is left.
    assert.equal((tf.backend() as unknown as { numDataIds(): number }).numDataIds(), before);
    tf.dispose([a, b]);
  });
}

/** The box [begin, begin + size) of a row-major array, element by element. */
function naiveSlice(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const strides = [...tf.util.computeStrides(shape), 1];
  const out: number[] = [];
  const total = size.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let at = 0;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const i = rest % (size[axis] as number);
      rest = Math.floor(rest / (size[axis] as number));
      at += ((begin[axis] as number) + i) * (strides[axis] as number);
    }
    out.push(values[at] as number);
  }
  return out;
}

const SLICES: [number[], number[], number[]][] = [
  [[5], [1], [3]],
  [
    [4, 6],
    [1, 0],
    [2, 6],
  ],
  [
    [4, 6],
    [0, 2],
    [4, 3],
  ],
  [
    [3, 4, 5],
    [1, 1, 0],
    [2, 2, 5],
  ],
  [
    [3, 4, 5],
    [0, 0, 1],
    [3, 4, 3],
  ],
  [
    [2, 3, 4, 5, 2],
    [1, 0, 2, 1, 0],
    [1, 3, 2, 3, 2],
  ],
  [
    [2, 3],
    [0, 0],
    [2, 3],
  ],
  [
    [2, 3],
    [1, 1],
    [0, 2],
  ],
];

for (const [shape, begin, size] of SLICES) {
  test(`Slice on wasm: [${shape}] from [${begin}] size [${size}] matches the definition, for float32, int32 and bool`, () => {
    const random = createRandom(4).fork(`${shape}|${begin}`);
    const x = random.normal(shape);
    const expected = naiveSlice(x.dataSync(), shape, begin, size);
    assert.deepEqual(Array.from(tf.slice(x, begin, size).dataSync()), expected);
    const ints = tf.cast(tf.mul(x, 100), "int32");
    assert.deepEqual(
      Array.from(tf.slice(ints, begin, size).dataSync()),
      naiveSlice(ints.dataSync(), shape, begin, size),
    );
    const bools = tf.greater(x, 0);
    assert.deepEqual(
      Array.from(tf.slice(bools, begin, size).dataSync()),
      naiveSlice(bools.dataSync(), shape, begin, size),
    );
  });
}

test("unstack and split on wasm give the same pieces as slicing by the definition", () => {
  const shape = [3, 4, 2];
  const x = createRandom(6).normal(shape);
  const values = x.dataSync();
  tf.unstack(x, 1).forEach((piece, i) => {
    assert.deepEqual(piece.shape, [3, 2]);
    assert.deepEqual(Array.from(piece.dataSync()), naiveSlice(values, shape, [0, i, 0], [3, 1, 2]));
  });
  const [a, b] = tf.split(x, [1, 3], 1) as [tf.Tensor, tf.Tensor];
  assert.deepEqual(Array.from(a.dataSync()), naiveSlice(values, shape, [0, 0, 0], [3, 1, 2]));
  assert.deepEqual(Array.from(b.dataSync()), naiveSlice(values, shape, [0, 1, 0], [3, 3, 2]));
  const thirds = tf.split(x, 3, 0);
  thirds.forEach((piece, i) =>
    assert.deepEqual(Array.from(piece.dataSync()), naiveSlice(values, shape, [i, 0, 0], [1, 4, 2])),
  );
  assert.deepEqual(
    Array.from(tf.slice(tf.tensor1d(["p", "q", "r"], "string"), [1], [2]).dataSync() as unknown as string[]),
    ["q", "r"],
  );
});
