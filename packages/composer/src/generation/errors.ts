/** Machine-readable reasons a generation request is rejected. */
export type GenerationErrorCode =
  | "invalid_config"
  | "missing_token_id"
  | "num_return_sequences_exceeds_num_beams"
  | "max_length_too_small"
  | "invalid_inputs"
  | "unsupported_setting"
  | "model_output";

/**
 * Raised for generation requests that cannot run. `setting` names the configuration field to change, in the
 * camelCase of `GenerationConfig` (the message also gives the snake_case name of `generation_config.json`).
 */
export class GenerationError extends Error {
  readonly code: GenerationErrorCode;
  readonly setting: string | undefined;

  constructor(code: GenerationErrorCode, message: string, setting?: string) {
    super(message);
    this.name = "GenerationError";
    this.code = code;
    this.setting = setting;
  }
}
