import { tf } from "@warmstart/tensors";
import type { LayerKeyValues } from "@warmstart/encoders";

/**
 * Keys and values of every layer, `[batch, heads, length, headSize]`, for incremental decoding. Each forward
 * returns a new, independent cache (cross-attention entries share data with the previous one by reference
 * count), so the caller disposes the previous cache once it has the next.
 */
export type KeyValueCache = LayerKeyValues[];

function mapCache(cache: KeyValueCache, f: (t: tf.Tensor4D) => tf.Tensor4D): KeyValueCache {
  return cache.map((layer) => {
    const out: LayerKeyValues = { selfKey: f(layer.selfKey), selfValue: f(layer.selfValue) };
    if (layer.crossKey !== undefined) out.crossKey = f(layer.crossKey);
    if (layer.crossValue !== undefined) out.crossValue = f(layer.crossValue);
    return out;
  });
}

/**
 * The cache with its batch rows taken from `beamIndices` (row i of the result is row beamIndices[i] of
 * `cache`), for beam search. Returns a new cache; `cache` is left as it is.
 */
export function reorderCache(cache: KeyValueCache, beamIndices: number[] | tf.Tensor1D): KeyValueCache {
  return tf.tidy(() => {
    const indices = beamIndices instanceof tf.Tensor ? tf.cast(beamIndices, "int32") : tf.tensor1d(beamIndices, "int32");
    const rows = cache[0]?.selfKey.shape[0] ?? 0;
    const values = indices.dataSync();
    for (const i of values) {
      if (!Number.isInteger(i) || i < 0 || i >= rows) throw new RangeError(`beam index ${i} is outside the cache's ${rows} rows`);
    }
    return mapCache(cache, (t) => tf.gather(t, indices, 0));
  });
}

/** Frees every tensor of a cache. */
export function disposeCache(cache: KeyValueCache | undefined): void {
  if (cache === undefined) return;
  for (const layer of cache) {
    layer.selfKey.dispose();
    layer.selfValue.dispose();
    layer.crossKey?.dispose();
    layer.crossValue?.dispose();
  }
}

/** Length of the cached prefix (0 without a cache), checked to be consistent with the model and batch. */
export function cachedLength(cache: KeyValueCache | undefined, layers: number, batch: number): number {
  if (cache === undefined) return 0;
  if (cache.length !== layers) throw new RangeError(`pastKeyValues has ${cache.length} layers, the model has ${layers}`);
  const first = cache[0] as LayerKeyValues;
  const [rows, , length] = first.selfKey.shape;
  if (rows !== batch) throw new RangeError(`pastKeyValues has batch ${rows}, inputIds has batch ${batch}`);
  return length;
}
