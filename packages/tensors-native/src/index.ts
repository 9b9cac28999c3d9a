export {
  registerNativeBackend,
  NATIVE_KERNELS,
  NATIVE_ONLY_KERNELS,
  NATIVE_KERNEL_NAMES,
  type RegisterNativeOptions,
} from "./register.js";
export {
  isAvailable,
  unavailableReason,
  setNativeThreads,
  nativeInfo,
  nativeBuildInfo,
  defaultThreads,
  type NativeBuildInfo,
} from "./addon.js";
export { adamwUpdate, scaleInPlace, sumSquares, type AdamWUpdate } from "./optimizer.js";
export { NativeBackendError } from "./errors.js";
export type { Tf } from "./cpu_backend.js";
