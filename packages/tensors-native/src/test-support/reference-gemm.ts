// The addon's gemm against a float64 product, for the tests of its product paths (bundled GEMM, few-row kernel).
import type { NativeAddon } from "../addon.js";
import { assertRelClose, randomValues } from "./setup.js";

/** One call of the addon's gemm: op(a[aIndex[i]]) · op(b[bIndex[i]]) (+ bias) for every output batch i. */
export interface GemmCase {
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  /** Output batches; aIndex/bIndex pick the stored matrix of each (broadcasting as the JS kernel passes it). */
  aIndex?: number[];
  bIndex?: number[];
  bias?: boolean;
}

/** op(a[ai]) · op(b[bi]) + bias in float64, row-major, for every batch. */
function reference(c: GemmCase, a: Float32Array, b: Float32Array, bias: Float32Array | null): Float64Array {
  const { m, k, n } = c;
  const aIndex = c.aIndex ?? [0];
  const bIndex = c.bIndex ?? [0];
  const out = new Float64Array(aIndex.length * m * n);
  for (let batch = 0; batch < aIndex.length; batch++) {
    const ao = (aIndex[batch] as number) * m * k;
    const bo = (bIndex[batch] as number) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias === null ? 0 : (bias[j] as number);
        for (let p = 0; p < k; p++) {
          const av = a[ao + (c.ta ? p * m + i : i * k + p)] as number;
          const bv = b[bo + (c.tb ? j * k + p : p * n + j)] as number;
          sum += av * bv;
        }
        out[(batch * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

/** Runs every case through `addon.gemm` on seeded random inputs and compares with the float64 product. */
export function checkGemmCases(addon: NativeAddon, cases: readonly GemmCase[], what: string): void {
  let seed = 1;
  for (const c of cases) {
    const aIndex = c.aIndex ?? [0];
    const bIndex = c.bIndex ?? [0];
    const a = randomValues((Math.max(...aIndex) + 1) * c.m * c.k, seed++);
    const b = randomValues((Math.max(...bIndex) + 1) * c.k * c.n, seed++);
    const bias = c.bias === true ? randomValues(c.n, seed++) : null;
    const out = new Float32Array(aIndex.length * c.m * c.n).fill(Number.NaN); // beta = 0 must not read C
    addon.gemm(a, b, out, c.m, c.n, c.k, c.ta, c.tb, Int32Array.from(aIndex), Int32Array.from(bIndex), bias, 0, 0);
    assertRelClose(out, reference(c, a, b, bias), 1e-4, `${what}: ${JSON.stringify(c)}`);
  }
}
