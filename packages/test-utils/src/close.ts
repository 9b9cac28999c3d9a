import assert from "node:assert/strict";

type Numeric = ArrayLike<number>;

export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  assert.equal(actual.length, expected.length, `length ${actual.length} differs from expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) !== Number.isNaN(e)) return Number.POSITIVE_INFINITY;
    worst = Math.max(worst, Math.abs(a - e));
  }
  return worst;
}

/** Asserts every element is within `tolerance` (absolute); the message names the worst index. */
export function assertClose(actual: Numeric, expected: Numeric, tolerance: number, what = "values"): void {
  const worst = maxAbsDiff(actual, expected);
  if (worst <= tolerance) return;
  let index = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs((actual[i] as number) - (expected[i] as number)) === worst) index = i;
  }
  assert.fail(
    `${what}: max abs difference ${worst} > ${tolerance} at index ${index} (actual ${actual[index]}, expected ${expected[index]})`,
  );
}
