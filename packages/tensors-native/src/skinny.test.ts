// Products of at most 8 rows with a transposed B (native/skinny.c: a decoding step's dense layers), on every kernel
// this CPU runs, and single rows with an untransposed B (sgemv in the OpenBLAS build), against a float64 product.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { NativeAddon } from "./addon.js";
import { assertRelClose, nativeSkip, randomValues } from "./test-support/setup.js";
import { loadWithKernel, packageRoot } from "./test-support/variant.js";

interface Case {
  m: number;
  k: number;
  n: number;
  /** Output batches: with one b (bIndex all 0) and aIndex 0, 1, ... the rows fold into one product of m·batch rows. */
  aIndex?: number[];
  bIndex?: number[];
  bias?: boolean;
  /** B untransposed (k x n): one row of it goes to OpenBLAS's sgemv in that build (GPT-2's [in, out] weights). */
  untransposed?: boolean;
}

// Row counts 1-8 (each accumulator shape: 1, 2, 4, 8, and the counts that round up to them), depths that are and
// are not multiples of the vector widths (8, 16), batches folded into one product (2 x 4 rows) and batches that are
// not (a different b each), and products above the threaded threshold (n·k ≥ 2^18: split over columns).
const CASES: Case[] = [
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 768, n: 300 },
  { m: 2, k: 17, n: 33, bias: true },
  { m: 3, k: 15, n: 7 },
  { m: 4, k: 768, n: 401, bias: true },
  { m: 5, k: 31, n: 64 },
  { m: 7, k: 64, n: 5, bias: true },
  { m: 8, k: 100, n: 129 },
  { m: 4, k: 24, n: 19, aIndex: [0, 1], bIndex: [0, 0], bias: true },
  { m: 3, k: 40, n: 12, aIndex: [0, 1, 2], bIndex: [2, 0, 1] },
  { m: 4, k: 769, n: 700, bias: true },
  { m: 8, k: 512, n: 1031 },
  { m: 1, k: 5, n: 3, untransposed: true },
  { m: 1, k: 768, n: 2304, untransposed: true, bias: true },
  { m: 1, k: 33, n: 17, aIndex: [0, 1], bIndex: [1, 0], untransposed: true },
];

/** a[ai] · b[bi]ᵀ + bias in float64, row-major, for every batch. */
function reference(c: Case, a: Float32Array, b: Float32Array, bias: Float32Array | null): Float64Array {
  const { m, k, n } = c;
  const aIndex = c.aIndex ?? [0];
  const bIndex = c.bIndex ?? [0];
  const out = new Float64Array(aIndex.length * m * n);
  for (let batch = 0; batch < aIndex.length; batch++) {
    const ao = (aIndex[batch] as number) * m * k;
    const bo = (bIndex[batch] as number) * n * k;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias === null ? 0 : (bias[j] as number);
        for (let p = 0; p < k; p++) {
          const bv = c.untransposed === true ? b[bo + p * n + j] : b[bo + j * k + p];
          sum += (a[ao + i * k + p] as number) * (bv as number);
        }
        out[(batch * m + i) * n + j] = sum;
      }
    }
  }
  return out;
}

function checkCases(addon: NativeAddon, what: string): void {
  let seed = 7;
  for (const c of CASES) {
    const aIndex = c.aIndex ?? [0];
    const bIndex = c.bIndex ?? [0];
    const a = randomValues((Math.max(...aIndex) + 1) * c.m * c.k, seed++);
    const b = randomValues((Math.max(...bIndex) + 1) * c.k * c.n, seed++);
    const bias = c.bias === true ? randomValues(c.n, seed++) : null;
    const out = new Float32Array(aIndex.length * c.m * c.n).fill(Number.NaN); // no bias: C must not be read
    const tb = c.untransposed !== true;
    addon.gemm(a, b, out, c.m, c.n, c.k, false, tb, Int32Array.from(aIndex), Int32Array.from(bIndex), bias, 0, 0);
    assertRelClose(out, reference(c, a, b, bias), 1e-4, `${what}: ${JSON.stringify(c)}`);
  }
}

const built = join(packageRoot, "build", "Release");
after(() => {
  // The copies loadWithKernel made (each kernel loads from its own file).
  for (const name of readdirSync(built)) {
    if (name.startsWith("kernel-") && name.includes(`-${process.pid}-`)) rmSync(join(built, name), { recursive: true });
  }
});

/** The kernels this CPU runs: the best is chosen by default; the others are asked for by name. */
function kernels(): string[] {
  const all = ["avx512", "avx2", "generic"];
  return all.filter((kernel) => {
    try {
      loadWithKernel(packageRoot, kernel);
      return true;
    } catch (error) {
      assert.match(String(error), /this CPU has no/, `${kernel} fails to load for another reason`);
      return false;
    }
  });
}

test(
  "few-row products (and single rows with an untransposed B) match a float64 product on every kernel, on 1 and 2 threads",
  { skip: nativeSkip },
  () => {
    const runnable = kernels();
    assert.ok(runnable.includes("generic"));
    for (const kernel of runnable) {
      const addon = loadWithKernel(packageRoot, kernel);
      assert.equal(addon.buildInfo().skinnyKernel, kernel);
      for (const threads of [1, 2]) {
        addon.setThreads(threads);
        checkCases(addon, `${kernel}, ${threads} threads`);
      }
    }
  },
);

test("WARMSTART_GEMM_KERNEL naming no kernel fails the load with the reason", { skip: nativeSkip }, () => {
  assert.throws(() => loadWithKernel(packageRoot, "sse9"), /WARMSTART_GEMM_KERNEL=sse9: unknown/);
});
