import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, sizeOf, type NativeKernel } from "../cpu_backend.js";
import { NativeBackendError } from "../errors.js";

/** tfjs kernel name → the addon's binary op code (native/warmstart_native.c). */
export const BINARY_OPS = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  SquaredDifference: 4,
  Maximum: 5,
  Minimum: 6,
} as const;

const MAX_RANK = 8;

export interface BroadcastPlan {
  outShape: number[];
  /** Coalesced dimensions and each operand's stride along them (0 where it is broadcast). */
  dims: number[];
  aStrides: number[];
  bStrides: number[];
}

/** NumPy broadcasting of two shapes, with adjacent dimensions merged wherever both operands stay contiguous across them. */
export function planBroadcast(a: readonly number[], b: readonly number[]): BroadcastPlan {
  const rank = Math.max(a.length, b.length, 1);
  const outShape: number[] = [];
  const da: number[] = [];
  const db: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new NativeBackendError("BAD_SHAPES", `shapes [${a}] and [${b}] do not broadcast`);
    }
    outShape.push(x === 1 ? y : x);
    da.push(x);
    db.push(y);
  }
  const strides = (dims: number[]) => {
    const out = new Array<number>(dims.length);
    let s = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      out[i] = (dims[i] as number) === 1 ? 0 : s;
      s *= dims[i] as number;
    }
    return out;
  };
  const sa = strides(da);
  const sb = strides(db);
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let i = 0; i < rank; i++) {
    const size = outShape[i] as number;
    if (size === 1 && rank > 1) continue; // a length-1 axis moves nothing
    const last = dims.length - 1;
    if (last >= 0 && aStrides[last] === (sa[i] as number) * size && bStrides[last] === (sb[i] as number) * size) {
      dims[last] = (dims[last] as number) * size;
      aStrides[last] = sa[i] as number;
      bStrides[last] = sb[i] as number;
    } else {
      dims.push(size);
      aStrides.push(sa[i] as number);
      bStrides.push(sb[i] as number);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    aStrides.push(0);
    bStrides.push(0);
  }
  return { outShape: a.length === 0 && b.length === 0 ? [] : outShape, dims, aStrides, bStrides };
}

/** A float32 binary kernel with broadcasting, looping natively over rows on all threads. */
export function binary(op: number): NativeKernel {
  return ({ inputs, backend }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const av = float32Values(backend, a);
    const bv = float32Values(backend, b);
    if (av === undefined || bv === undefined) return undefined;
    const plan = planBroadcast(a.shape, b.shape);
    if (plan.dims.length > MAX_RANK) return undefined;
    const out = new Float32Array(sizeOf(plan.outShape));
    if (out.length > 0) {
      addon().binary(
        av,
        bv,
        out,
        Int32Array.from(plan.dims),
        Int32Array.from(plan.aStrides),
        Int32Array.from(plan.bStrides),
        op,
      );
    }
    return backend.makeTensorInfo(plan.outShape, "float32", out);
  };
}

/**
 * AddN (tfjs's sum of same-shape tensors: what autodiff emits where a tensor feeds several ops, e.g. a tied
 * embedding) as native adds into one output, left to right as tfjs's cpu loop sums (the same float32 values, up to the sign of a
 * zero sum); other dtypes fall back.
 */
export const addN: NativeKernel = ({ inputs, backend }) => {
  const tensors = inputs as unknown as TensorInfo[];
  const values = tensors.map((t) => float32Values(backend, t));
  const first = tensors[0];
  if (first === undefined || values.some((v) => v === undefined)) return undefined;
  const shape = first.shape;
  if (tensors.some((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    return undefined;
  }
  const out = new Float32Array(sizeOf(shape));
  if (values.length === 1) out.set(values[0] as Float32Array);
  else if (out.length > 0) {
    // Rows of the last axis, so the addon splits the rows over its threads (one flat row runs on one).
    const cols = shape.length === 0 ? 1 : (shape[shape.length - 1] as number);
    const dims = Int32Array.of(out.length / cols, cols);
    const strides = Int32Array.of(cols, 1);
    addon().binary(values[0] as Float32Array, values[1] as Float32Array, out, dims, strides, strides, BINARY_OPS.Add);
    // The addon's elementwise loop reads each element before it writes it, so `out` can be an operand.
    for (const v of values.slice(2)) {
      addon().binary(out, v as Float32Array, out, dims, strides, strides, BINARY_OPS.Add);
    }
  }
  return backend.makeTensorInfo(shape, "float32", out);
};
