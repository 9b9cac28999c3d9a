/**
 * Scales the gradients in place so their global L2 norm is at most `maxNorm`, like
 * `torch.nn.utils.clip_grad_norm_`: coefficient `maxNorm / (norm + 1e-6)` clamped to 1, applied always.
 * Returns the norm before clipping (NaN/Infinity when a gradient is not finite; the gradients then become
 * non-finite too, as in PyTorch, so the caller must check).
 */
export function clipGradNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  let sumSquares = 0;
  for (const g of list) {
    for (let i = 0; i < g.length; i++) sumSquares += (g[i] as number) * (g[i] as number);
  }
  const norm = Math.sqrt(sumSquares);
  const coefficient = Math.min(1, maxNorm / (norm + 1e-6));
  if (coefficient !== 1) {
    for (const g of list) {
      for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * coefficient;
    }
  }
  return norm;
}
