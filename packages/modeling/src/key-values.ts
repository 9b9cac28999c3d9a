import { tf } from "@warmstart/tensors";

/** One layer's attention keys and values `[B, H, T, d]` kept for incremental decoding. */
// A type alias (not an interface) so it fits tf.tidy's TensorContainer.
export type LayerKeyValues = {
  selfKey: tf.Tensor4D;
  selfValue: tf.Tensor4D;
  /** Cross-attention keys/values of the encoder states: computed at the first step and reused. */
  crossKey?: tf.Tensor4D;
  crossValue?: tf.Tensor4D;
};

/**
 * Keys and values of every layer, `[batch, heads, length, headSize]`, for incremental decoding (the cross-attention
 * ones may have fewer rows, one per encoder row, when decoder rows share encoder rows: see DecoderInput). Each forward
 * returns a new, independent cache (cross-attention entries share data with the previous one by reference
 * count), so the caller disposes the previous cache once it has the next.
 */
export type KeyValueCache = LayerKeyValues[];

function mapCache(
  cache: KeyValueCache,
  self: (t: tf.Tensor4D) => tf.Tensor4D,
  cross: (t: tf.Tensor4D) => tf.Tensor4D,
): KeyValueCache {
  return cache.map((layer) => {
    const out: LayerKeyValues = { selfKey: self(layer.selfKey), selfValue: self(layer.selfValue) };
    if (layer.crossKey !== undefined) out.crossKey = cross(layer.crossKey);
    if (layer.crossValue !== undefined) out.crossValue = cross(layer.crossValue);
    return out;
  });
}

export interface ReorderCacheOptions {
  /**
   * The caller guarantees that every row moves only among rows with the same encoder input (beam search
   * reorders within an input's beams), so the cross-attention keys/values — identical across those rows —
   * are shared with the new cache instead of gathered: a copy of `[rows, heads, sourceLength, headSize]`
   * per layer and step saved.
   */
  crossAttentionUnchanged?: boolean;
}

/**
 * The cache with its batch rows taken from `beamIndices` (row i of the result is row beamIndices[i] of
 * `cache`), for beam search. Returns a new cache; `cache` is left as it is.
 */
export function reorderCache(
  cache: KeyValueCache,
  beamIndices: number[] | tf.Tensor1D,
  options: ReorderCacheOptions = {},
): KeyValueCache {
  return tf.tidy(() => {
    const indices =
      beamIndices instanceof tf.Tensor ? tf.cast(beamIndices, "int32") : tf.tensor1d(beamIndices, "int32");
    const rows = cache[0]?.selfKey.shape[0] ?? 0;
    // A plain array is checked as it is, without reading the tensor back (GPU backends cannot read synchronously).
    const values = beamIndices instanceof tf.Tensor ? indices.dataSync() : beamIndices;
    for (const i of values) {
      if (!Number.isInteger(i) || i < 0 || i >= rows) {
        throw new RangeError(`beam index ${i} is outside the cache's ${rows} rows`);
      }
    }
    const gatherRows = (t: tf.Tensor4D): tf.Tensor4D => tf.gather(t, indices, 0);
    // Cross keys/values with fewer rows than the decoder (shared by the R decoder rows of each encoder row): row i
    // of the result needs encoder row floor(beamIndices[i] / R), so they are gathered expanded to one row each.
    const crossRows = cache[0]?.crossKey?.shape[0] ?? rows;
    const gatherCross =
      crossRows === rows
        ? gatherRows
        : (t: tf.Tensor4D): tf.Tensor4D =>
            tf.gather(
              t,
              tf.tensor1d(
                Array.from(values, (i) => Math.floor(i / (rows / crossRows))),
                "int32",
              ),
              0,
            );
    return mapCache(cache, gatherRows, options.crossAttentionUnchanged === true ? (t) => tf.clone(t) : gatherCross);
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
  if (cache.length !== layers) {
    throw new RangeError(`pastKeyValues has ${cache.length} layers, the model has ${layers}`);
  }
  const first = cache[0] as LayerKeyValues;
  const [rows, , length] = first.selfKey.shape;
  if (rows !== batch) throw new RangeError(`pastKeyValues has batch ${rows}, inputIds has batch ${batch}`);
  return length;
}
