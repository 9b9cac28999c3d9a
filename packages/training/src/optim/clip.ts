import { scaleInPlace, sumSquares } from "@warmstart/tensors";

/**
 * Scales the gradients in place so their global L2 norm is at most `maxNorm`, like
 * `torch.nn.utils.clip_grad_norm_`: coefficient `maxNorm / (norm + 1e-6)` clamped to 1, applied always.
 * Returns the norm before clipping (NaN/Infinity when a gradient is not finite; the gradients then become
 * non-finite too, as in PyTorch, so the caller must check).
 *
 * The sums and the scaling are @warmstart/tensors' sumSquares / scaleInPlace, native where the addon is loaded
 * (the same bits as their JS forms): a base-size model's 247M gradient values took ~1 s per step in JS loops.
 */
export function clipGradNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  let sumOfSquares = 0;
  for (const g of list) sumOfSquares += sumSquares(g);
  const norm = Math.sqrt(sumOfSquares);
  const coefficient = Math.min(1, maxNorm / (norm + 1e-6));
  if (coefficient !== 1) for (const g of list) scaleInPlace(g, coefficient);
  return norm;
}
