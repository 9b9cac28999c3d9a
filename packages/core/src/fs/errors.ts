import { WarmstartError } from "../errors.js";

export type AtomicWriteErrorCode = "NOT_A_FOLDER" | "WRITE_FAILED" | "SWAP_FAILED";

/**
 * An atomic write that did not happen; nothing at the destination was changed. `cause` holds the file
 * system's own error (its `code`, e.g. ENOSPC, is what callers branch on to word a full disk).
 */
export class AtomicWriteError extends WarmstartError<AtomicWriteErrorCode> {
  /** The file or folder that was to be written. */
  readonly target: string;

  constructor(code: AtomicWriteErrorCode, target: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "AtomicWriteError";
    this.target = target;
  }
}

/** The file system's reason in words: a full disk is said as such ("ENOSPC: ..., write" names neither folder nor fix). */
export function describeFsFailure(error: unknown, where: string): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOSPC") {
    return `the disk is full (ENOSPC) under ${where}; free some space and try again`;
  }
  return error instanceof Error ? error.message : String(error);
}
