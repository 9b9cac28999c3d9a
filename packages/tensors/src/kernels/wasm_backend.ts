import * as tf from "@tensorflow/tfjs";

/**
 * The slice of tfjs-backend-wasm's `BackendWasm` our kernels use. Typed here rather than imported because
 * the class is not part of the package's public entry point.
 */
export interface WasmBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Runs one of the backend's own kernels from inside ours (no tape, no engine bookkeeping). */
export function runBackendKernel(
  name: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as tf.TensorInfo;
}
