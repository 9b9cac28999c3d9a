import type * as TensorsNative from "@warmstart/tensors-native";
import { loadedNative } from "./native.js";

/**
 * One parameter's AdamW update: its weights, gradient and moments, where to write the new weights, and the step's
 * constants — `decay` = 1 − lr·λ (1 where the parameter does not decay), `stepSize` = lr / (1 − β1ᵗ),
 * `sqrtCorrection2` = √(1 − β2ᵗ). The moments are updated in place; `param` is only read.
 */
export type AdamWUpdate = TensorsNative.AdamWUpdate;

/**
 * The element loop of `torch.optim.AdamW` (amsgrad off) over one parameter:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; out ← param·decay − stepSize·m / (√v / sqrtCorrection2 + ε).
 *
 * It works on plain arrays, not tensors, because optimizers keep their moments outside the tensor heap (the wasm
 * heap is capped at 4 GiB). Where the native addon is loaded the loop runs there, split over its threads
 * (~20x faster on two cores); elsewhere in JS. Both compute in double precision in the same order, so they give
 * the same bits.
 */
export function adamwUpdate(u: AdamWUpdate): void {
  const n = u.param.length;
  if (u.grad.length !== n || u.expAvg.length !== n || u.expAvgSq.length !== n || u.out.length !== n) {
    throw new RangeError(
      `adamwUpdate: parameter ${n}, gradient ${u.grad.length}, moments ${u.expAvg.length}/${u.expAvgSq.length} and output ${u.out.length} values must be equal`,
    );
  }
  const native = loadedNative();
  if (native !== undefined && native.isAvailable()) native.adamwUpdate(u);
  else adamwUpdateJs(u);
}

/** The JS loop (exported for the test that holds the native loop to the same bits). */
export function adamwUpdateJs(u: AdamWUpdate): void {
  const { param, grad, expAvg: m, expAvgSq: v, out, beta1, beta2, decay, stepSize, sqrtCorrection2, eps } = u;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    out[i] = (param[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtCorrection2 + eps);
  }
}

/** Values per block of {@link sumSquares} (the addon's SUM_BLOCK). */
const SUM_BLOCK = 1 << 16;

/**
 * Σ x[i]² in double precision (a gradient-norm clip's sum). It adds fixed blocks of 2^16 values, eight
 * accumulators each, in block order, natively over the addon's threads where it is loaded, else here: both ways
 * and at any thread count the same bits.
 */
export function sumSquares(x: Float32Array): number {
  const native = loadedNative();
  if (native !== undefined && native.isAvailable()) return native.sumSquares(x);
  return sumSquaresJs(x);
}

/** The JS form of {@link sumSquares} (exported for the test that holds the native one to its bits). */
export function sumSquaresJs(x: Float32Array): number {
  let total = 0;
  const acc = new Float64Array(8);
  for (let lo = 0; lo < x.length; lo += SUM_BLOCK) {
    const hi = Math.min(lo + SUM_BLOCK, x.length);
    acc.fill(0);
    let i = lo;
    for (; i + 8 <= hi; i += 8) {
      for (let l = 0; l < 8; l++) acc[l] = (acc[l] as number) + (x[i + l] as number) * (x[i + l] as number);
    }
    for (; i < hi; i++) acc[0] = (acc[0] as number) + (x[i] as number) * (x[i] as number);
    const a = (l: number) => acc[l] as number;
    total += a(0) + a(1) + (a(2) + a(3)) + (a(4) + a(5) + (a(6) + a(7)));
  }
  return total;
}

/** x[i] ← x[i]·factor in place (the product in double, rounded once to float32); native where loaded. */
export function scaleInPlace(x: Float32Array, factor: number): void {
  const native = loadedNative();
  if (native !== undefined && native.isAvailable()) {
    native.scaleInPlace(x, factor);
    return;
  }
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) * factor;
}
