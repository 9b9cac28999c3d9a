// Products of at most 8 rows with a transposed B (native/skinny.c: a decoding step's dense layers), on every kernel
// this CPU runs, and single rows with an untransposed B (sgemv in the OpenBLAS build), against a float64 product.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { checkGemmCases, type GemmCase } from "./test-support/reference-gemm.js";
import { nativeSkip } from "./test-support/setup.js";
import { loadWithKernel, packageRoot } from "./test-support/variant.js";

// Row counts 1-8 (each accumulator shape: 1, 2, 4, 8, and the counts that round up to them), depths that are and
// are not multiples of the vector widths (8, 16), batches folded into one product (2 x 4 rows) and batches that are
// not (a different b each), and products above the threaded threshold (n·k ≥ 2^18: split over columns).
const CASES: GemmCase[] = [
  { m: 1, k: 1, n: 1, ta: false, tb: true },
  { m: 1, k: 768, n: 300, ta: false, tb: true },
  { m: 2, k: 17, n: 33, bias: true, ta: false, tb: true },
  { m: 3, k: 15, n: 7, ta: false, tb: true },
  { m: 4, k: 768, n: 401, bias: true, ta: false, tb: true },
  { m: 5, k: 31, n: 64, ta: false, tb: true },
  { m: 7, k: 64, n: 5, bias: true, ta: false, tb: true },
  { m: 8, k: 100, n: 129, ta: false, tb: true },
  { m: 4, k: 24, n: 19, aIndex: [0, 1], bIndex: [0, 0], bias: true, ta: false, tb: true },
  { m: 3, k: 40, n: 12, aIndex: [0, 1, 2], bIndex: [2, 0, 1], ta: false, tb: true },
  { m: 4, k: 769, n: 700, bias: true, ta: false, tb: true },
  { m: 8, k: 512, n: 1031, ta: false, tb: true },
  { m: 1, k: 5, n: 3, ta: false, tb: false },
  { m: 1, k: 768, n: 2304, bias: true, ta: false, tb: false },
  { m: 1, k: 33, n: 17, aIndex: [0, 1], bIndex: [1, 0], ta: false, tb: false },
];

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
        checkGemmCases(addon, CASES, `${kernel}, ${threads} threads`);
      }
    }
  },
);

test("WARMSTART_GEMM_KERNEL naming no kernel fails the load with the reason", { skip: nativeSkip }, () => {
  assert.throws(() => loadWithKernel(packageRoot, "sse9"), /WARMSTART_GEMM_KERNEL=sse9: unknown/);
});
