import * as tf from "@tensorflow/tfjs";
import { batchMatMulConfig } from "./kernels/BatchMatMul.js";
import { einsumConfig } from "./kernels/Einsum.js";
import { sliceConfig } from "./kernels/Slice.js";
import { splitVConfig } from "./kernels/SplitV.js";
import { unpackConfig } from "./kernels/Unpack.js";
import { unsortedSegmentSumConfig } from "./kernels/UnsortedSegmentSum.js";

/** The kernels tfjs-backend-wasm 4.22 lacks that the models (or their gradients) need. */
export const WASM_KERNEL_GAPS: readonly tf.KernelConfig[] = [unsortedSegmentSumConfig, einsumConfig];

/**
 * Built-in wasm kernels replaced by faster ones: batched and transposed matrix products on XNNPACK, and
 * slicing that reads its input in place instead of copying all of it. Each factory gets the built-in
 * config, for the cases it hands back.
 */
const WASM_KERNEL_REPLACEMENTS: readonly [string, (builtin: tf.KernelConfig) => tf.KernelConfig][] = [
  [tf.BatchMatMul, batchMatMulConfig],
  [tf.Slice, sliceConfig],
  [tf.Unpack, () => unpackConfig],
  [tf.SplitV, () => splitVConfig],
];

export const WASM_KERNEL_REPLACED: readonly string[] = WASM_KERNEL_REPLACEMENTS.map(([name]) => name);

let registered = false;

/** Registers the gap kernels for "wasm" (unless tfjs provides them) and installs the replacements. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of WASM_KERNEL_GAPS) {
    if (tf.getKernel(config.kernelName, "wasm") === undefined) tf.registerKernel(config);
  }
  for (const [name, replace] of WASM_KERNEL_REPLACEMENTS) {
    const builtin = tf.getKernel(name, "wasm");
    if (builtin === undefined) continue;
    // Unregister first: registering over an existing kernel works but logs a warning.
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(replace(builtin));
  }
}
