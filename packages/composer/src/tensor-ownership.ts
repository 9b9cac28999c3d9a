import { tf } from "@warmstart/tensors";

/** Every tensor inside a nested structure of arrays and objects (a key/value cache). */
export function tensorsIn(value: unknown, out: Set<tf.Tensor> = new Set()): Set<tf.Tensor> {
  if (value instanceof tf.Tensor) out.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

/** Keeps every tensor of a cache built inside a tidy alive after it. */
export function keepAll(value: unknown): void {
  for (const t of tensorsIn(value)) tf.keep(t);
}

/** Frees the tensors of the previous cache that the new one does not carry (e.g. cross-attention keys it reuses). */
export function disposeUnshared(previous: unknown, next: unknown): void {
  const kept = tensorsIn(next);
  for (const t of tensorsIn(previous)) if (!kept.has(t)) t.dispose();
}
