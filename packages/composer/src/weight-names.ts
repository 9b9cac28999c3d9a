const CROSS_ATTENTION = /(^|\.)(crossattention|ln_cross_attn)\./;

/** Whether a (decoder) weight belongs to a cross-attention block. */
export function isCrossAttention(name: string): boolean {
  return CROSS_ATTENTION.test(name);
}

/**
 * Whether a checkpoint whose tensor names are `names` provides the model weight `name` of a class with base
 * prefix `basePrefix`: the same resolution the model classes' loadWeights applies (with or without the
 * base-model prefix, legacy LayerNorm gamma/beta).
 */
export function checkpointProvides(names: ReadonlySet<string>, name: string, basePrefix: string): boolean {
  const candidates = [name, name.startsWith(basePrefix) ? name.slice(basePrefix.length) : basePrefix + name];
  return candidates.some(
    (c) => names.has(c) || names.has(c.replace(/\.weight$/, ".gamma")) || names.has(c.replace(/\.bias$/, ".beta")),
  );
}
