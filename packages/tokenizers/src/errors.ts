import { WarmstartError } from "@warmstart/core";

/** Every way a tokenizer call can fail on its input, so callers can branch on `code` instead of message text. */
export type TokenizerErrorCode =
  | "MISSING_FILES"
  | "INVALID_FILE"
  | "NOT_A_STRING"
  | "BAD_TOKEN_ID"
  | "MAX_LENGTH_TOO_LARGE"
  | "MAX_LENGTH_REQUIRED"
  | "MAX_LENGTH_TOO_SMALL"
  | "NO_PAD_TOKEN"
  | "MISSING_SPECIAL_TOKEN"
  | "BATCH_MISMATCH"
  | "INVALID_OPTION"
  | "RAGGED_ROWS"
  | "NOT_INT32"
  | "TRAINING_FAILED";

export class TokenizerError extends WarmstartError<TokenizerErrorCode> {
  override readonly name = "TokenizerError";
}
