import * as tf from "@tensorflow/tfjs";

/**
 * Whether the active backend runs matrix products with transpose flags and batch dimensions at full speed, so
 * model code should pass flags and batches instead of transposing or splitting explicitly. False only on wasm,
 * where just untransposed 2-D products reach XNNPACK (research/engine-facts.md); native (OpenBLAS), cpu and
 * the tfjs-node backends take flags for free.
 */
export function productsPreferTransposeFlags(): boolean {
  return tf.getBackend() !== "wasm";
}

/** Whether the active backend has a kernel of this name (the fused kernels only native registers). */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
