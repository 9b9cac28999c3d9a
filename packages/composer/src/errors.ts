import { WarmstartError } from "@warmstart/core";

/** What went wrong, for callers that branch on it; the message says where and what was expected. */
export type ComposerErrorCode =
  | "INVALID_CONFIG"
  | "MISSING_SUB_CONFIG"
  | "UNSUPPORTED_MODEL_TYPE"
  | "MISSING_SPECIAL_TOKEN"
  | "TIE_MISMATCH"
  | "MISSING_WEIGHTS"
  | "WEIGHT_SHAPE_MISMATCH"
  /** A checkpoint's generation_config.json (or config.json's generation keys) is not JSON or holds a bad value. */
  | "INVALID_GENERATION_CONFIG"
  | "INVALID_INPUT"
  | "LABEL_OUT_OF_VOCAB"
  | "SAVE_FAILED"
  /** The output folder of a conversion exists and is not empty (or is the input folder). */
  | "OUTPUT_EXISTS"
  | "DISPOSED";

export class ComposerError extends WarmstartError<ComposerErrorCode> {
  override readonly name = "ComposerError";
}
