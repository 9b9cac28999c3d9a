import { WarmstartError } from "@warmstart/core";

/** A Hugging Face `config.json` that no model class can be built from. `field` names the offending key. */
export class ModelConfigError extends WarmstartError<
  "UNKNOWN_MODEL_TYPE" | "UNKNOWN_ACTIVATION" | "INVALID_FIELD" | "UNSUPPORTED_FEATURE"
> {
  readonly field: string;
  constructor(code: ModelConfigError["code"], field: string, message: string) {
    super(code, message);
    this.name = "ModelConfigError";
    this.field = field;
  }
}

/** Inputs a model cannot run on: ids outside the vocabulary, sequences longer than the position table, bad shapes. */
export class ModelInputError extends WarmstartError<
  "TOKEN_ID_OUT_OF_RANGE" | "SEQUENCE_TOO_LONG" | "SHAPE_MISMATCH" | "INVALID_INPUT"
> {
  constructor(code: ModelInputError["code"], message: string) {
    super(code, message);
    this.name = "ModelInputError";
  }
}

/** A checkpoint tensor that cannot be loaded into the model (its shape differs from what the config implies). */
export class WeightLoadError extends WarmstartError<"SHAPE_MISMATCH" | "INVALID_SOURCE"> {
  readonly tensor: string;
  constructor(code: WeightLoadError["code"], tensor: string, message: string) {
    super(code, message);
    this.name = "WeightLoadError";
    this.tensor = tensor;
  }
}
