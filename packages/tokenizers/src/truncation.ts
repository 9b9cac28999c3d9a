/**
 * How many tokens each segment keeps under transformers' default `longest_first` strategy: tokens
 * come off the longer segment one at a time (off the second on ties) until both fit `budget`.
 */
export function longestFirst(first: number, second: number, budget: number): [number, number] {
  const excess = first + second - budget;
  if (excess <= 0) return [first, second];
  let a = first;
  let b = second;
  // Closed form of the one-at-a-time loop: cut the longer down to the shorter, then alternate.
  const gap = Math.abs(a - b);
  const fromGap = Math.min(gap, excess);
  if (a > b) a -= fromGap;
  else b -= fromGap;
  const rest = excess - fromGap;
  b -= Math.ceil(rest / 2);
  a -= Math.floor(rest / 2);
  return [Math.max(0, a), Math.max(0, b)];
}
