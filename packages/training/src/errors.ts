/** What went wrong, as a stable string callers can switch on. */
export type TrainingErrorCode =
  | "MALFORMED_ROW"
  | "MISSING_COLUMN"
  | "UNSUPPORTED_FORMAT"
  | "INVALID_OPTION"
  | "INVALID_STATE"
  | "CHECKPOINT_MISMATCH"
  | "CHECKPOINT_NOT_FOUND"
  | "CHECKPOINT_WRITE_FAILED"
  | "OUTPUT_LOCKED"
  | "NON_FINITE_LOSS";

/** Every error this package throws on purpose; `message` names the file, field or step involved. */
export class TrainingError extends Error {
  readonly code: TrainingErrorCode;

  constructor(code: TrainingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TrainingError";
    this.code = code;
  }
}
