import { InvalidArgumentError } from "commander";

/** An integer option parser with inclusive bounds; commander turns the error into a usage error (exit 2). */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n)) {
      throw new InvalidArgumentError(`expected an integer, got "${value}".`);
    }
    if (n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}.` : `must be between ${min} and ${max}.`,
      );
    }
    return n;
  };
}

/** A number option parser; `exclusiveMin` rejects the bound itself (learning rates, top-p). */
export function decimal(
  bounds: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`expected a number, got "${value}".`);
    }
    const { min, max, exclusiveMin = false } = bounds;
    if (min !== undefined && (exclusiveMin ? n <= min : n < min)) {
      throw new InvalidArgumentError(`must be ${exclusiveMin ? "greater than" : "at least"} ${min}.`);
    }
    if (max !== undefined && n > max) throw new InvalidArgumentError(`must be at most ${max}.`);
    return n;
  };
}
