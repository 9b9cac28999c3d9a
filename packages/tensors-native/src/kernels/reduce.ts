import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, sizeOf, type NativeKernel } from "../cpu_backend.js";
import { NativeBackendError } from "../errors.js";

/** tfjs kernel name → [the addon's reduce op code, the attribute holding the axes]. */
export const REDUCE_OPS = {
  Sum: [0, "axis"],
  Mean: [1, "axis"],
  Max: [2, "reductionIndices"],
  Min: [3, "axis"],
} as const;

/** tfjs's axis parameter: undefined or null means every axis; negatives count from the end. */
export function normaliseAxes(axis: unknown, rank: number): number[] {
  const list =
    axis === undefined || axis === null
      ? Array.from({ length: rank }, (_, i) => i)
      : Array.isArray(axis)
        ? (axis as number[])
        : [axis as number];
  const out = list.map((a) => (a < 0 ? a + rank : a));
  for (const a of out) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) {
      throw new NativeBackendError(
        "BAD_SHAPES",
        `reduction axis ${JSON.stringify(axis)} is out of range for rank ${rank}`,
      );
    }
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

/**
 * Sum / Mean / Max / Min of float32 tensors. A contiguous block of reduced axes is reduced in place; any other
 * choice of axes is moved innermost (native transpose) first, then reduced per row.
 */
export function reduce(op: number, axisAttr: string): NativeKernel {
  return ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const values = float32Values(backend, x);
    const rank = x.shape.length;
    if (values === undefined || rank === 0 || values.length === 0) return undefined;
    const axes = normaliseAxes(attrs?.[axisAttr], rank);
    if (axes.length === 0) return undefined;
    const kept = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
    const cols = sizeOf(axes.map((a) => x.shape[a] as number));
    const out = new Float32Array(values.length / cols);
    const first = axes[0] as number;
    const last = axes[axes.length - 1] as number;
    const inner = sizeOf(x.shape.slice(last + 1));
    if (last - first + 1 === axes.length && inner > 1) {
      // One contiguous block of axes with kept axes after it: reduce in place as [outer, reduced, inner].
      addon().reduceMid(values, out, sizeOf(x.shape.slice(0, first)), cols, inner, op);
    } else {
      const perm = [...kept, ...axes];
      let source = values;
      if (perm.some((p, i) => p !== i)) {
        source = new Float32Array(values.length);
        addon().transpose(values, source, Int32Array.from(x.shape), Int32Array.from(perm));
      }
      addon().reduce(source, out, cols, op);
    }
    const shape =
      attrs?.keepDims === true
        ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : kept.map((i) => x.shape[i] as number);
    return backend.makeTensorInfo(shape, "float32", out);
  };
}
