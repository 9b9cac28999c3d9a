import * as tf from "@tensorflow/tfjs";
import { sliceOnHeap } from "./Slice.js";
import type { WasmBackend } from "./wasm_backend.js";

/** `Unpack` (tf.unstack) for wasm over `sliceOnHeap`: the built-in copies the whole input once per piece. */
function unpack(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const value = args.inputs.value as tf.TensorInfo;
  const rank = value.shape.length;
  let axis = (args.attrs as { axis: number }).axis;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = [...value.shape];
  size[axis] = 1;
  return Array.from({ length: value.shape[axis] as number }, (_, i) => {
    begin[axis] = i;
    const piece = sliceOnHeap(args.backend as WasmBackend, value, begin, size);
    return { ...piece, shape: outShape };
  });
}

export const unpackConfig: tf.KernelConfig = {
  kernelName: tf.Unpack,
  backendName: "wasm",
  kernelFunc: unpack as unknown as tf.KernelFunc,
};
