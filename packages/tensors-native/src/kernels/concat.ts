import type { TensorInfo } from "@tensorflow/tfjs";
import { float32Values, sizeOf, type NativeKernel } from "../cpu_backend.js";

/**
 * Concat of float32 tensors along one axis, as whole contiguous blocks: for each index of the axes before `axis`,
 * every input contributes one run of `shape[axis..]` values. The cpu backend's kernel copies element by element
 * in JS; appending a position to a decoder's key/value cache ([beams, heads, length, head size] along the length)
 * took about a tenth of a BERT-base beam-search step that way.
 */
export const concat: NativeKernel = ({ inputs, attrs, backend }) => {
  const tensors = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as TensorInfo[];
  const first = tensors[0];
  if (first === undefined) return undefined;
  const rank = first.shape.length;
  const rawAxis = Number(Array.isArray(attrs?.axis) ? attrs.axis[0] : (attrs?.axis ?? 0));
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (!(axis >= 0 && axis < rank)) return undefined;
  const values: Float32Array[] = [];
  for (const t of tensors) {
    const v = float32Values(backend, t);
    const sameOtherAxes = t.shape.length === rank && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (v === undefined || !sameOtherAxes) return undefined;
    values.push(v);
  }
  const outer = sizeOf(first.shape.slice(0, axis));
  const runs = tensors.map((t) => sizeOf(t.shape.slice(axis)));
  const row = runs.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * row);
  let offset = 0;
  tensors.forEach((_, i) => {
    const source = values[i] as Float32Array;
    const run = runs[i] as number;
    for (let o = 0; o < outer; o++) out.set(source.subarray(o * run, (o + 1) * run), o * row + offset);
    offset += run;
  });
  const shape = first.shape.map((d, i) =>
    i === axis ? tensors.reduce((sum, t) => sum + (t.shape[axis] as number), 0) : d,
  );
  return backend.makeTensorInfo(shape, "float32", out);
};
