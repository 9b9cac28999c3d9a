import * as tf from "@tensorflow/tfjs";
import { runBackendKernel, type WasmBackend } from "./wasm_backend.js";

/** What this kernel needs beyond `WasmBackend`: the tensor table and the module's exported functions. */
interface WasmInternals extends WasmBackend {
  dataIdMap: {
    get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined;
    delete(dataId: tf.DataId): boolean;
  };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  wasm: {
    cwrap(name: string, returns: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
}

type Product = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  tA: boolean,
  tB: boolean,
  outId: number,
) => void;

let product: Product | undefined;
let builtin: tf.KernelFunc | undefined;

/**
 * `BatchMatMul` for wasm that sends every matrix of a batch through the backend's single-matrix product.
 * tfjs-backend-wasm reaches XNNPACK only for one untransposed matrix pair; any batch or transpose flag runs
 * a scalar loop 10-20x slower, and attention (QKᵀ, PV and their gradients) is exactly that case. Here
 * transposed operands are transposed once, explicitly, and each matrix pair is multiplied through heap
 * views (tensors registered at an offset inside the operand, no copy) straight into its slice of the output.
 */
function batchMatMul(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmInternals;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const plainSingle = batch === 1 && !transposeA && !transposeB;
  const broadcastable = batchA === batchB || batchA === 1 || batchB === 1;
  if (plainSingle || !broadcastable || a.dtype !== "float32" || b.dtype !== "float32") {
    return (builtin as tf.KernelFunc)({ ...args, backend: backend as unknown as tf.KernelBackend }) as tf.TensorInfo;
  }
  const temps: tf.TensorInfo[] = [];
  const untransposed = (x: tf.TensorInfo, transpose: boolean): tf.TensorInfo => {
    if (!transpose) return x;
    const rank = x.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    const t = runBackendKernel("Transpose", backend, { x }, { perm });
    temps.push(t);
    return t;
  };
  const a2 = untransposed(a, transposeA);
  const b2 = untransposed(b, transposeB);
  const [m, k] = a2.shape.slice(-2) as [number, number];
  const [k2, n] = b2.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new Error(
      `matMul: inner sizes ${k} and ${k2} of shapes [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) differ`,
    );
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outer, m, n], "float32");
  const aBase = (backend.dataIdMap.get(a2.dataId) as { memoryOffset: number }).memoryOffset;
  const bBase = (backend.dataIdMap.get(b2.dataId) as { memoryOffset: number }).memoryOffset;
  const outBase = (backend.dataIdMap.get(out.dataId) as { memoryOffset: number }).memoryOffset;
  const aShape = new Uint8Array(new Int32Array([1, m, k]).buffer);
  const bShape = new Uint8Array(new Int32Array([1, k, n]).buffer);
  product ??= backend.wasm.cwrap("BatchMatMul", null, [
    "number",
    "array",
    "number",
    "number",
    "array",
    "number",
    "number",
    "number",
    "number",
  ]) as Product;
  // A broadcast operand gets one view for the whole batch, so the module packs it (as a right operand) once.
  const sharedA = batchA === 1 ? view(backend, [1, m, k], aBase) : undefined;
  const sharedB = batchB === 1 ? view(backend, [1, k, n], bBase) : undefined;
  try {
    for (let i = 0; i < batch; i++) {
      const aView = sharedA ?? view(backend, [1, m, k], aBase + i * m * k * 4);
      const bView = sharedB ?? view(backend, [1, k, n], bBase + i * k * n * 4);
      const outView = view(backend, [1, m, n], outBase + i * m * n * 4);
      product(aView.id, aShape, 3, bView.id, bShape, 3, false, false, outView.id);
      for (const v of [aView, bView, outView]) if (v !== sharedA && v !== sharedB) release(backend, v.dataId, v.id);
    }
  } finally {
    for (const v of [sharedA, sharedB]) if (v !== undefined) release(backend, v.dataId, v.id);
    for (const t of temps) backend.disposeData(t.dataId);
  }
  return out;
}

/** A tensor registered over existing heap memory; it must be released with `release`, never disposed. */
function view(backend: WasmInternals, shape: number[], offset: number): { id: number; dataId: tf.DataId } {
  const info = backend.makeOutput(shape, "float32", offset);
  return { id: (backend.dataIdMap.get(info.dataId) as { id: number }).id, dataId: info.dataId };
}

/** Unregisters a view (and any packed-operand cache the module keeps for it) without freeing its memory. */
function release(backend: WasmInternals, dataId: tf.DataId, id: number): void {
  backend.wasm.tfjs.disposeData(id);
  backend.dataIdMap.delete(dataId);
}

/** Installs the kernel over the built-in one, which it keeps for the cases it passes through. */
export function batchMatMulConfig(existing: tf.KernelConfig): tf.KernelConfig {
  builtin = existing.kernelFunc;
  // The built-in's setup binds its module function; it must still run when the backend initialises.
  return {
    kernelName: tf.BatchMatMul,
    backendName: "wasm",
    kernelFunc: batchMatMul as unknown as tf.KernelFunc,
    setupFunc: existing.setupFunc,
  };
}
