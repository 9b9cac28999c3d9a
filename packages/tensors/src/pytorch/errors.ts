import { SafetensorsError } from "../safetensors/errors.js";

/**
 * A refused `pytorch_model.bin`: a `SafetensorsError` (same `code`, `file`, `tensor`) so checkpoint callers
 * handle both formats alike. Codes: `LEGACY_PYTORCH_FORMAT`, `INVALID_ZIP`, `INVALID_PICKLE`, `UNSAFE_PICKLE`,
 * `PICKLE_LIMIT`, `OFFSETS_OUT_OF_RANGE`, `UNSUPPORTED_DTYPE`, `READ_FAILED`.
 */
export class PytorchBinError extends SafetensorsError {
  override name = "PytorchBinError";
}
