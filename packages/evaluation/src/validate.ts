import { EvaluationError } from "./errors.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Throws unless `value` is an array of strings; `offset` shifts reported indices (streaming batches). */
export function assertStringArray(value: unknown, argument: string, offset = 0): asserts value is readonly string[] {
  if (!Array.isArray(value)) {
    throw new EvaluationError("INVALID_ARGUMENT", `${argument} must be an array of strings, got ${describe(value)}`, {
      argument,
    });
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") {
      throw new EvaluationError(
        "INVALID_ARGUMENT",
        `${argument}[${offset + i}] must be a string, got ${describe(value[i])}`,
        { argument, index: offset + i },
      );
    }
  }
}

/** Throws unless `value` is an array whose elements are non-empty arrays of strings. */
export function assertReferenceLists(
  value: unknown,
  argument: string,
  offset = 0,
): asserts value is readonly (readonly string[])[] {
  if (!Array.isArray(value)) {
    throw new EvaluationError(
      "INVALID_ARGUMENT",
      `${argument} must be an array of reference lists (string[][]), got ${describe(value)}`,
      { argument },
    );
  }
  for (let i = 0; i < value.length; i++) {
    const refs: unknown = value[i];
    if (!Array.isArray(refs)) {
      throw new EvaluationError(
        "INVALID_ARGUMENT",
        `${argument}[${offset + i}] must be an array of reference strings, got ${describe(refs)}`,
        { argument, index: offset + i },
      );
    }
    if (refs.length === 0) {
      throw new EvaluationError("EMPTY_REFERENCE", `${argument}[${offset + i}] lists no references`, {
        argument,
        index: offset + i,
      });
    }
    for (let k = 0; k < refs.length; k++) {
      if (typeof refs[k] !== "string") {
        throw new EvaluationError(
          "INVALID_ARGUMENT",
          `${argument}[${offset + i}][${k}] must be a string, got ${describe(refs[k])}`,
          { argument, index: offset + i },
        );
      }
    }
  }
}

/** Throws LENGTH_MISMATCH naming the first argument whose length differs from the first one's. */
export function assertSameLength(arrays: Record<string, { length: number }>): void {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0] as [string, { length: number }];
  for (const [name, array] of entries.slice(1)) {
    if (array.length !== first.length) {
      throw new EvaluationError(
        "LENGTH_MISMATCH",
        `${name} has ${array.length} elements but ${firstName} has ${first.length}`,
        { argument: name },
      );
    }
  }
}

/** Corpus-level scores average over examples, so zero examples has no defined score. */
export function assertNonEmpty(length: number, argument: string): void {
  if (length === 0) {
    throw new EvaluationError("EMPTY_INPUT", `${argument} is empty: a corpus score needs at least one example`, {
      argument,
    });
  }
}

export function assertOptionalBoolean(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new EvaluationError("INVALID_OPTION", `${argument} must be a boolean, got ${describe(value)}`, { argument });
  }
}
