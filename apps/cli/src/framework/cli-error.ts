import { WarmstartError } from "@warmstart/core";
import type { ExitCode } from "./exit-codes.js";
import { EXIT } from "./exit-codes.js";

/** Stable names for the CLI's own failures; library errors keep their own codes. */
export type CliErrorCode =
  | "USAGE"
  | "FILE_NOT_FOUND"
  | "BAD_INPUT"
  | "LENGTH_MISMATCH"
  | "UNKNOWN_MODEL"
  | "MISSING_CONFIG"
  | "MISSING_TOKENIZER"
  | "NOT_AVAILABLE"
  | "FAILED";

const exitOf: Record<CliErrorCode, ExitCode> = {
  USAGE: EXIT.USAGE,
  FILE_NOT_FOUND: EXIT.INPUT,
  BAD_INPUT: EXIT.INPUT,
  LENGTH_MISMATCH: EXIT.INPUT,
  UNKNOWN_MODEL: EXIT.MODEL,
  MISSING_CONFIG: EXIT.MODEL,
  MISSING_TOKENIZER: EXIT.MODEL,
  NOT_AVAILABLE: EXIT.FAILURE,
  FAILED: EXIT.FAILURE,
};

/** A failure the user can act on: `message` says what is wrong, `hint` what to do about it. */
export class CliError extends WarmstartError<CliErrorCode> {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: CliErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitOf[code];
    this.hint = options.hint;
  }
}
