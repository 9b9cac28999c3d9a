import { WarmstartError } from "@warmstart/core";

/** Machine-readable reasons a generation request is rejected. */
export type GenerationErrorCode =
  | "INVALID_CONFIG"
  | "MISSING_TOKEN_ID"
  | "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS"
  | "MAX_LENGTH_TOO_SMALL"
  | "INVALID_INPUTS"
  | "UNSUPPORTED_SETTING"
  | "MODEL_OUTPUT";

/**
 * Raised for generation requests that cannot run. `setting` names the configuration field to change, in the
 * camelCase of `GenerationConfig` (the message also gives the snake_case name of `generation_config.json`).
 */
export class GenerationError extends WarmstartError<GenerationErrorCode> {
  override readonly name = "GenerationError";
  readonly setting: string | undefined;

  constructor(code: GenerationErrorCode, message: string, setting?: string) {
    super(code, message);
    this.setting = setting;
  }
}
