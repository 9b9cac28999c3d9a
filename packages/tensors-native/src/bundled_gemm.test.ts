// The bundled GEMM (native/gemm.c), built as the install builds it without OpenBLAS, against a float64 product.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, test } from "node:test";
import { buildInfoOf, type NativeAddon } from "./addon.js";
import { checkGemmCases, type GemmCase } from "./test-support/reference-gemm.js";
import { buildVariant, variantSkip, type Variant } from "./test-support/variant.js";

const skip = variantSkip();
let variant: Variant | undefined;
function bundled(): Variant {
  variant ??= buildVariant("bundled");
  return variant;
}
after(() => {
  if (variant !== undefined) rmSync(variant.root, { recursive: true, force: true });
});

// Odd sizes that are multiples of no register tile or cache block (tiles 4x16 to 12x32, KC 256, NB 128-256,
// MB 2048-4080), every transpose pair, a bias (beta = 1 in the product), batches, and two products above the
// threaded-product threshold (1e8 flops): one wider than tall (split over columns), one taller (over rows).
const CASES: GemmCase[] = [
  { m: 1, k: 1, n: 1, ta: false, tb: false },
  { m: 17, k: 33, n: 65, ta: false, tb: false },
  { m: 17, k: 33, n: 65, ta: true, tb: false },
  { m: 17, k: 33, n: 65, ta: false, tb: true },
  { m: 17, k: 33, n: 65, ta: true, tb: true },
  { m: 13, k: 257, n: 37, ta: false, tb: true, bias: true },
  { m: 5, k: 7, n: 3, ta: true, tb: true, aIndex: [0, 1, 2, 0], bIndex: [1, 1, 0, 0], bias: true },
  { m: 3, k: 19, n: 11, ta: false, tb: false, aIndex: [0, 1, 2], bIndex: [0, 0, 0] }, // folded into one tall product
  { m: 4099, k: 5, n: 3, ta: false, tb: false },
  { m: 6, k: 513, n: 300, ta: true, tb: false },
  { m: 301, k: 333, n: 517, ta: false, tb: true, bias: true },
  { m: 1031, k: 201, n: 251, ta: true, tb: true },
];

const checkCases = (addon: NativeAddon, what: string): void => checkGemmCases(addon, CASES, what);

test("the install builds the bundled GEMM when asked to and says so", { skip }, () => {
  const { record } = bundled();
  assert.equal(record.built, true, record.reason);
  assert.equal(record.blas, "bundled");
  assert.match(record.reason, /^built with the bundled GEMM \((avx512|avx2|neon|generic) kernel/);
  const info = buildInfoOf({ addon: bundled().load() });
  assert.ok(info.available);
  assert.equal(info.blas, "bundled");
  assert.equal(info.blasVersion, null);
  assert.equal(info.kernel, record.kernel);
});

test("the bundled GEMM's best kernel for this CPU matches a float64 product on 1 and 2 threads", { skip }, () => {
  const addon = bundled().load();
  for (const threads of [1, 2]) {
    addon.setThreads(threads);
    checkCases(addon, `${addon.buildInfo().kernel}, ${threads} threads`);
  }
});

test("the bundled GEMM's plain C kernel matches a float64 product", { skip }, () => {
  const addon = bundled().load("generic");
  assert.equal(addon.buildInfo().kernel, "generic");
  addon.setThreads(2);
  checkCases(addon, "generic");
});

test("WARMSTART_GEMM_KERNEL naming no kernel fails the load with the reason", { skip }, () => {
  assert.throws(() => bundled().load("sse9"), /WARMSTART_GEMM_KERNEL=sse9: unknown GEMM kernel: expected avx512, avx2/);
});
