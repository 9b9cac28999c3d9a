import { WarmstartError } from "@warmstart/core";

/** Stable names for the server's refusals; the HTTP status follows from the code. */
export type ServeErrorCode =
  | "BAD_REQUEST"
  | "INVALID_JSON"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "BODY_TOO_LARGE"
  | "INPUT_TOO_LONG"
  | "INVALID_SETTING"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "QUEUE_FULL"
  | "DEADLINE_EXCEEDED"
  | "SHUTTING_DOWN"
  | "INTERNAL";

const statusOf: Record<ServeErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  INPUT_TOO_LONG: 400,
  INVALID_SETTING: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  QUEUE_FULL: 429,
  // The deadline is the client's own `timeout_ms`: a 4xx, so that 5xx keeps meaning "the server failed".
  DEADLINE_EXCEEDED: 408,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
};

/**
 * A request the server refuses or could not complete: `field` names the JSON field at fault (`inputs[2]`,
 * `num_beams`), `hint` what to change. Sent as `{ ok: false, error: { code, status, message, field?, hint? } }`,
 * the shape of the CLI's `--json` errors with the HTTP status in place of the exit code.
 */
export class ServeError extends WarmstartError<ServeErrorCode> {
  override readonly name = "ServeError";
  readonly status: number;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ServeErrorCode, message: string, options: { field?: string; hint?: string; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = statusOf[code];
    this.field = options.field;
    this.hint = options.hint;
  }
}

export interface ErrorBody {
  ok: false;
  error: { code: ServeErrorCode; status: number; message: string; field?: string; hint?: string };
}

export function errorBody(error: ServeError): ErrorBody {
  return {
    ok: false,
    error: {
      code: error.code,
      status: error.status,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    },
  };
}
