import assert from "node:assert/strict";
import { test } from "node:test";
import * as TensorsNative from "@warmstart/tensors-native";
import { nativeSkipReason } from "@warmstart/test-utils";
import { SeededRandom } from "@warmstart/core";
import { loadNative } from "./native.js";
import { adamwUpdate, adamwUpdateJs, scaleInPlace, sumSquares, sumSquaresJs, type AdamWUpdate } from "./optimizer.js";

/** A parameter of `n` values with its gradient and moments after a few steps, and the constants of step `t`. */
function update(n: number, seed: number, t: number, decay: number): AdamWUpdate {
  const rng = new SeededRandom(seed);
  const normal = () => (rng.float() - 0.5) * 4;
  const param = Float32Array.from({ length: n }, normal);
  const grad = Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : i % 89 === 0 ? -0 : normal() * 1e-3));
  const expAvg = Float32Array.from({ length: n }, () => normal() * 1e-3);
  const expAvgSq = Float32Array.from({ length: n }, () => rng.float() * 1e-6);
  const [beta1, beta2, lr] = [0.9, 0.999, 3e-3];
  return {
    param,
    grad,
    expAvg,
    expAvgSq,
    out: new Float32Array(n),
    beta1,
    beta2,
    decay,
    stepSize: lr / (1 - beta1 ** t),
    sqrtCorrection2: Math.sqrt(1 - beta2 ** t),
    eps: 1e-8,
  };
}

function copy(u: AdamWUpdate): AdamWUpdate {
  return { ...u, expAvg: u.expAvg.slice(), expAvgSq: u.expAvgSq.slice(), out: new Float32Array(u.out.length) };
}

const skip = nativeSkipReason(TensorsNative.isAvailable(), TensorsNative.unavailableReason);

test("the native AdamW loop gives the JS loop's bits: weights and both moments", { skip }, async () => {
  await loadNative();
  // Sizes below and above a thread's share (2^18), odd lengths for the vector tails; step 1 and a late step.
  for (const [n, t, decay] of [
    [1, 1, 1],
    [1023, 1, 1 - 3e-3 * 0.01],
    [300_001, 7, 1 - 3e-3 * 0.01],
    [1_000_003, 1000, 1],
  ] as const) {
    const js = update(n, n, t, decay);
    const native = copy(js);
    const param = js.param.slice();
    adamwUpdateJs(js);
    TensorsNative.adamwUpdate(native);
    for (const field of ["out", "expAvg", "expAvgSq"] as const) {
      const a = new Uint32Array(js[field].buffer);
      const b = new Uint32Array(native[field].buffer);
      const first = a.findIndex((bits, i) => bits !== b[i]);
      assert.equal(first, -1, `${field}[${first}] of ${n}: JS ${js[field][first]}, native ${native[field][first]}`);
    }
    assert.deepEqual(native.param, param, "the parameter is only read");
    assert.ok(
      js.out.some((x, i) => x !== param[i]),
      "the update moved the weights",
    );
  }
});

test(
  "adamwUpdate takes the native loop once the package is loaded, and refuses arrays of different sizes",
  { skip },
  async () => {
    await loadNative();
    const u = update(5000, 3, 2, 1);
    const expected = copy(u);
    adamwUpdateJs(expected);
    adamwUpdate(u);
    assert.deepEqual(u.out, expected.out);
    assert.throws(
      () => adamwUpdate({ ...u, expAvgSq: new Float32Array(4999) }),
      /adamwUpdate: parameter 5000, gradient 5000, moments 5000\/4999 and output 5000 values must be equal/,
    );
  },
);

test("sumSquares and scaleInPlace give their JS forms' bits natively, at every thread count", { skip }, async () => {
  await loadNative();
  const rng = new SeededRandom(11);
  // Empty, below a block, block edges and tails, and enough blocks to spread over threads.
  for (const n of [0, 1, 7, 8, 65535, 65536, 65537, 1_000_003]) {
    const x = Float32Array.from({ length: n }, () => (rng.float() - 0.5) * (rng.float() < 0.01 ? 1e6 : 1));
    const expected = sumSquaresJs(x);
    for (const threads of [1, 2, 3]) {
      TensorsNative.setNativeThreads(threads);
      assert.equal(sumSquares(x), expected, `Σx² of ${n} on ${threads} threads`);
    }
    TensorsNative.setNativeThreads(TensorsNative.defaultThreads());
    let naive = 0;
    for (const v of x) naive += v * v;
    assert.ok(Math.abs(expected - naive) <= 1e-9 * Math.max(1, naive), `Σx² of ${n}: ${expected} vs ${naive}`);
    const scaled = x.slice();
    scaleInPlace(scaled, 0.3711);
    assert.deepEqual(
      scaled,
      Float32Array.from(x, (v) => v * 0.3711),
      `x·0.3711 of ${n}`,
    );
  }
  assert.ok(Number.isNaN(sumSquares(Float32Array.from([1, Number.NaN]))));
});
