import * as tf from "@tensorflow/tfjs";
import { sliceOnHeap } from "./Slice.js";
import type { WasmBackend } from "./wasm_backend.js";

/** `SplitV` (tf.split) for wasm over `sliceOnHeap`: the built-in copies the whole input once per piece. */
function splitV(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[$axis] = s;
    const piece = sliceOnHeap(args.backend as WasmBackend, x, begin, size);
    begin[$axis] = (begin[$axis] as number) + s;
    return piece;
  });
}

export const splitVConfig: tf.KernelConfig = {
  kernelName: tf.SplitV,
  backendName: "wasm",
  kernelFunc: splitV as unknown as tf.KernelFunc,
};
