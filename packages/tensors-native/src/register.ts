import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs";
import { isAvailable, unavailableReason } from "./addon.js";
import { withFallback, type CpuBackend, type NativeKernel, type Tf } from "./cpu_backend.js";
import { NativeBackendError } from "./errors.js";
import { BINARY_OPS, addN, binary } from "./kernels/binary.js";
import { cast } from "./kernels/cast.js";
import { concat } from "./kernels/concat.js";
import {
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
} from "./kernels/cross_entropy.js";
import { gatherV2 } from "./kernels/gather.js";
import { GELU, GELU_GRAD, gelu, geluGrad } from "./kernels/gelu.js";
import { LAYER_NORM, LAYER_NORM_GRAD, layerNorm, layerNormGrad } from "./kernels/layer_norm.js";
import { padV2, slice, splitV } from "./kernels/box_copy.js";
import { batchMatMul, fusedMatMul } from "./kernels/mat_mul.js";
import { REDUCE_OPS, reduce } from "./kernels/reduce.js";
import { MASKED_SOFTMAX, MASKED_SOFTMAX_GRAD, maskedSoftmax, maskedSoftmaxGrad, softmax } from "./kernels/softmax.js";
import { transpose } from "./kernels/transpose.js";
import { UNARY_OPS, unary } from "./kernels/unary.js";
import { unsortedSegmentSum } from "./kernels/unsorted_segment_sum.js";

/** The kernels the native backend runs itself; every other kernel is the cpu backend's. */
export const NATIVE_KERNELS: Readonly<Record<string, NativeKernel>> = {
  AddN: addN,
  BatchMatMul: batchMatMul,
  Cast: cast,
  Concat: concat,
  _FusedMatMul: fusedMatMul,
  GatherV2: gatherV2,
  PadV2: padV2,
  Slice: slice,
  SplitV: splitV,
  Softmax: softmax,
  Transpose: transpose,
  UnsortedSegmentSum: unsortedSegmentSum,
  ...Object.fromEntries(Object.entries(UNARY_OPS).map(([name, op]) => [name, unary(op)])),
  ...Object.fromEntries(Object.entries(BINARY_OPS).map(([name, op]) => [name, binary(op)])),
  ...Object.fromEntries(Object.entries(REDUCE_OPS).map(([name, [op, axisAttr]]) => [name, reduce(op, axisAttr)])),
};

/**
 * Fused kernels with no cpu counterpart, registered on the native backend only. @warmstart/tensors' ops run
 * them where `tf.getKernel(name, backend)` finds them and compose tfjs ops elsewhere.
 */
export const NATIVE_ONLY_KERNELS: Readonly<Record<string, NativeKernel>> = {
  [LAYER_NORM]: layerNorm,
  [LAYER_NORM_GRAD]: layerNormGrad,
  [GELU]: gelu,
  [GELU_GRAD]: geluGrad,
  [MASKED_SOFTMAX]: maskedSoftmax,
  [MASKED_SOFTMAX_GRAD]: maskedSoftmaxGrad,
  [SOFTMAX_CROSS_ENTROPY]: softmaxCrossEntropy,
  [SOFTMAX_CROSS_ENTROPY_GRAD]: softmaxCrossEntropyGrad,
};

/** The names of NATIVE_ONLY_KERNELS, for the ops that dispatch to them. */
export const NATIVE_KERNEL_NAMES = {
  layerNorm: LAYER_NORM,
  layerNormGrad: LAYER_NORM_GRAD,
  gelu: GELU,
  geluGrad: GELU_GRAD,
  maskedSoftmax: MASKED_SOFTMAX,
  maskedSoftmaxGrad: MASKED_SOFTMAX_GRAD,
  softmaxCrossEntropy: SOFTMAX_CROSS_ENTROPY,
  softmaxCrossEntropyGrad: SOFTMAX_CROSS_ENTROPY_GRAD,
} as const;

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
  for (const [kernelName, native] of Object.entries(NATIVE_ONLY_KERNELS)) {
    if (tf.getKernel(kernelName, name) !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: name, kernelFunc: declined(kernelName, native) });
  }
}

/** A native-only kernel has no cpu kernel to fall back to: a declined call is a caller error. */
function declined(kernelName: string, native: NativeKernel): KernelFunc {
  return ((args: Parameters<NativeKernel>[0]) => {
    const out = native(args);
    if (out === undefined) {
      throw new NativeBackendError(
        "BAD_INPUT",
        `${kernelName}: unsupported inputs (float32 tensors of the documented ranks and shapes are expected)`,
      );
    }
    return out;
  }) as unknown as KernelFunc;
}
