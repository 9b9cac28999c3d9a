import type * as tfjs from "@tensorflow/tfjs";
import type { DataId, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";

/** The parts of the tfjs namespace the native backend needs; pass the one instance the app uses. */
export type Tf = Pick<
  typeof tfjs,
  "registerBackend" | "registerKernel" | "getKernel" | "getKernelsForBackend" | "findBackendFactory" | "getBackend"
>;

/**
 * The slice of tfjs-backend-cpu's MathBackendCPU the kernels use: it keeps each tensor's values in a JS typed
 * array, which the addon reads and writes in place.
 */
export interface CpuBackend {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: TensorInfo["dtype"], values?: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
  firstUse?: boolean;
}

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: CpuBackend;
}

/** A kernel that returns undefined when it does not handle this call, so the cpu kernel runs instead. */
export type NativeKernel = (args: KernelArgs) => TensorInfo | TensorInfo[] | undefined;

/** The float32 values of a tensor on the cpu backend, or undefined for any other dtype or storage. */
export function float32Values(backend: CpuBackend, info: TensorInfo): Float32Array | undefined {
  if (info.dtype !== "float32") return undefined;
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Runs `native`, or the cpu kernel it replaces when `native` declines (other dtypes, unusual attributes). */
export function withFallback(native: NativeKernel, cpu: KernelFunc): KernelFunc {
  return ((args: KernelArgs) =>
    native(args) ?? cpu(args as unknown as Parameters<KernelFunc>[0])) as unknown as KernelFunc;
}
