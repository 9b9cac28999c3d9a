import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs";
import { isAvailable, unavailableReason } from "./addon.js";
import { withFallback, type CpuBackend, type NativeKernel, type Tf } from "./cpu_backend.js";
import { NativeBackendError } from "./errors.js";
import { BINARY_OPS, binary } from "./kernels/binary.js";
import { batchMatMul, fusedMatMul } from "./kernels/mat_mul.js";
import { REDUCE_OPS, reduce } from "./kernels/reduce.js";
import { softmax } from "./kernels/softmax.js";
import { transpose } from "./kernels/transpose.js";
import { UNARY_OPS, unary } from "./kernels/unary.js";
import { unsortedSegmentSum } from "./kernels/unsorted_segment_sum.js";

/** The kernels the native backend runs itself; every other kernel is the cpu backend's. */
export const NATIVE_KERNELS: Readonly<Record<string, NativeKernel>> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Softmax: softmax,
  Transpose: transpose,
  UnsortedSegmentSum: unsortedSegmentSum,
  ...Object.fromEntries(Object.entries(UNARY_OPS).map(([name, op]) => [name, unary(op)])),
  ...Object.fromEntries(Object.entries(BINARY_OPS).map(([name, op]) => [name, binary(op)])),
  ...Object.fromEntries(Object.entries(REDUCE_OPS).map(([name, [op, axisAttr]]) => [name, reduce(op, axisAttr)])),
};

export interface RegisterNativeOptions {
  /** The backend's name for tf.setBackend (default "native"). */
  name?: string;
  /** tfjs's priority when no backend is set explicitly (default 0: never chosen over cpu/wasm unless asked for). */
  priority?: number;
}

/**
 * Registers the native backend on `tf` (pass the app's single tfjs namespace): the cpu backend with
 * NATIVE_KERNELS replacing its own, so every op the addon does not cover still runs, unchanged. Idempotent per
 * name. Throws NativeBackendError("NATIVE_UNAVAILABLE") with the reason when the addon is not built.
 */
export function registerNativeBackend(tf: Tf, options: RegisterNativeOptions = {}): string {
  const name = options.name ?? "native";
  if (!isAvailable()) {
    throw new NativeBackendError("NATIVE_UNAVAILABLE", unavailableReason() ?? "the native addon is unavailable");
  }
  if (tf.findBackendFactory(name) !== null) return name;
  const cpuFactory = tf.findBackendFactory("cpu");
  if (cpuFactory === null) {
    throw new NativeBackendError("NO_CPU_BACKEND", "the tfjs cpu backend is not registered on this tf instance");
  }
  copyKernels(tf, name);
  tf.registerBackend(
    name,
    async () => {
      // Kernels registered for cpu after this call (by other packages) are picked up when the backend starts.
      copyKernels(tf, name);
      const backend = (await cpuFactory()) as unknown as CpuBackend;
      // MathBackendCPU's first write advises Node users to install tfjs-node; this backend is the native one.
      backend.firstUse = false;
      return backend as never;
    },
    options.priority ?? 0,
  );
  return name;
}

function copyKernels(tf: Tf, name: string): void {
  for (const config of tf.getKernelsForBackend("cpu")) {
    if (tf.getKernel(config.kernelName, name) !== undefined) continue;
    const native = NATIVE_KERNELS[config.kernelName];
    const kernelFunc: KernelFunc = native === undefined ? config.kernelFunc : withFallback(native, config.kernelFunc);
    const copy: KernelConfig = { ...config, backendName: name, kernelFunc };
    tf.registerKernel(copy);
  }
}
