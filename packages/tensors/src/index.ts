export * as tf from "@tensorflow/tfjs";
export { Parameters } from "./parameters.js";
export { describeParameters, listParameters, type ParameterRow } from "./describe_parameters.js";
export {
  BACKEND_ORDER,
  BackendError,
  ensureBackend,
  initBackend,
  requireBackend,
  type BackendChoice,
  type BackendName,
  type InitBackendOptions,
} from "./backend.js";
export type { WebGpuAdapter } from "./webgpu.js";
// What the native backend was built with, for diagnostics (`warmstart doctor`) without a direct dependency on it;
// "not installed" where the optional @warmstart/tensors-native is absent.
export { NATIVE_NOT_INSTALLED, nativeBuildInfo, nativeInfo, type NativeBuildInfo } from "./native.js";
export { registerWasmKernels, WASM_KERNEL_GAPS, WASM_KERNEL_REPLACED } from "./register_wasm_kernels.js";
export type { WasmThreads } from "./wasm-threads.js";
export { linear, type LinearLayout } from "./ops/linear.js";
export { gelu, geluNew } from "./ops/gelu.js";
export { layerNorm } from "./ops/layer_norm.js";
export { scaledMaskedSoftmax } from "./ops/softmax.js";
export { softmaxCrossEntropy } from "./ops/cross_entropy.js";
export { FLOAT32_MIN, scaledDotProductAttention } from "./ops/attention.js";
export { backendHasKernel, productsPreferTransposeFlags } from "./ops/backend_traits.js";
export { adamwUpdate, scaleInPlace, sumSquares, type AdamWUpdate } from "./optimizer.js";
export { createRandom, ones, zeros, type Random } from "./random.js";
export { SafetensorsError, type SafetensorsErrorCode } from "./safetensors/errors.js";
export type { SafetensorsDtype } from "./safetensors/dtypes.js";
export {
  openSafetensors,
  type OpenSafetensorsOptions,
  type SafetensorsFile,
  type TensorInfo,
  type TensorSource,
} from "./safetensors/read.js";
export { readSafetensorsBytes } from "./safetensors/bytes.js";
export { openCheckpoint, type Checkpoint, type OpenCheckpointOptions } from "./safetensors/checkpoint.js";
export { openPytorchBin, type OpenPytorchBinOptions } from "./pytorch/bin.js";
export { PytorchBinError } from "./pytorch/errors.js";
export { floatToHalfBits, writeSafetensors, type WriteSafetensorsOptions } from "./safetensors/write.js";
