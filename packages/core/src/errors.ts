/**
 * The base of every error a warmstart package throws on purpose. `code` is a stable name callers branch on
 * instead of message text; every package writes its codes in SCREAMING_SNAKE_CASE (`INVALID_CONFIG`,
 * `MISSING_TOKEN_ID`), as Node's own `ERR_*` codes, so one `switch (error.code)` reads the same everywhere.
 * Subclasses set `name` and narrow `Code` to their own union.
 */
export abstract class WarmstartError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Whether `value` is an error a warmstart package threw on purpose (any package: they all extend WarmstartError). */
export function isWarmstartError(value: unknown): value is WarmstartError {
  return value instanceof WarmstartError;
}

/** The one code convention: SCREAMING_SNAKE_CASE. */
export const ERROR_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
