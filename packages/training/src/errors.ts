import { WarmstartError } from "@warmstart/core";

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
  | "LOG_WRITE_FAILED"
  | "NON_FINITE_LOSS";

/** Every error this package throws on purpose; `message` names the file, field or step involved. */
export class TrainingError extends WarmstartError<TrainingErrorCode> {
  override readonly name = "TrainingError";
}

/**
 * Why a write failed, in words: a full disk (`ENOSPC`, whose own message "no space left on device, write" names
 * neither the place nor a fix) is said as such, with the folder it happened under; other errors keep their message.
 */
export function describeWriteFailure(error: unknown, folder: string): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOSPC") {
    return `the disk is full (ENOSPC) under ${folder}; free some space or keep fewer checkpoints (saveTotalLimit, --save-total-limit)`;
  }
  return error instanceof Error ? error.message : String(error);
}
