import { WarmstartError } from "@warmstart/core";

/** Why a safetensors file or checkpoint folder was rejected. */
export type SafetensorsErrorCode =
  /** Fewer than 8 bytes: not even the header length is there. */
  | "FILE_TOO_SHORT"
  /** The header length runs past the end of the file (or past the 100 MB the format allows). */
  | "HEADER_TOO_LARGE"
  /** The header is not UTF-8 JSON. */
  | "INVALID_HEADER_JSON"
  /** The header is JSON but not a safetensors header (wrong field types, bad shape, bad metadata). */
  | "INVALID_HEADER"
  | "UNKNOWN_DTYPE"
  /** A known dtype that has no TensorFlow.js conversion here (e.g. the float8 types), or a tensor that cannot be written. */
  | "UNSUPPORTED_DTYPE"
  | "OFFSETS_OUT_OF_RANGE"
  | "OVERLAPPING_OFFSETS"
  /** Bytes of the data section that belong to no tensor (the format forbids holes and trailing bytes). */
  | "DATA_GAP"
  /** `data_offsets` span a byte count other than shape x dtype size. */
  | "SIZE_MISMATCH"
  /** An integer value that does not fit the int32 tensor it is converted to. */
  | "VALUE_OUT_OF_RANGE"
  | "UNKNOWN_TENSOR"
  /** The file changed or could not be read while reading a tensor. */
  | "READ_FAILED"
  | "CLOSED"
  /** `model.safetensors.index.json` is malformed or points at a shard outside the folder or lacking a tensor. */
  | "INVALID_INDEX"
  /** No longer thrown: `pytorch_model.bin` folders are read (kept so existing `code` checks still compile). */
  | "PYTORCH_BIN_NOT_SUPPORTED"
  /**
   * A `pytorch_model.bin` in the legacy torch.save format with storage views (only torch < 1.0 wrote them): re-save
   * it with torch >= 1.6 or as safetensors. Other legacy (pre-1.6) files are read.
   */
  | "LEGACY_PYTORCH_FORMAT"
  /** A `pytorch_model.bin` that is not a well-formed zip of stored entries (compressed entries, sizes past the file). */
  | "INVALID_ZIP"
  /** `data.pkl` is malformed, or is not a state dict of tensors. */
  | "INVALID_PICKLE"
  /** `data.pkl` names a global, calls (REDUCE) or builds (BUILD) something a state dict does not need; nothing is run. */
  | "UNSAFE_PICKLE"
  /** `data.pkl` nests deeper or runs more opcodes than the reader allows. */
  | "PICKLE_LIMIT"
  /** The folder holds no weights at all. */
  | "MISSING_WEIGHTS";

/** Every rejection of a safetensors file or checkpoint: `code` says why, `file` (and `tensor`) say where. */
export class SafetensorsError extends WarmstartError<SafetensorsErrorCode> {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(code: SafetensorsErrorCode, file: string, detail: string, tensor?: string, options?: ErrorOptions) {
    const where = tensor === undefined ? file : `${file}, tensor "${tensor}"`;
    super(code, `${where}: ${detail}`, options);
    this.name = "SafetensorsError";
    this.file = file;
    this.tensor = tensor;
  }
}
