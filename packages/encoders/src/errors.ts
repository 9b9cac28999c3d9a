/** A Hugging Face `config.json` that this package cannot build a model from. `field` names the offending key. */
export class ModelConfigError extends Error {
  readonly code: "unknown-model-type" | "unknown-activation" | "invalid-field" | "unsupported-feature";
  readonly field: string;
  constructor(code: ModelConfigError["code"], field: string, message: string) {
    super(message);
    this.name = "ModelConfigError";
    this.code = code;
    this.field = field;
  }
}

/** Inputs a model cannot run on: ids outside the vocabulary, sequences longer than the position table, bad shapes. */
export class ModelInputError extends Error {
  readonly code: "token-id-out-of-range" | "sequence-too-long" | "shape-mismatch" | "invalid-input";
  constructor(code: ModelInputError["code"], message: string) {
    super(message);
    this.name = "ModelInputError";
    this.code = code;
  }
}

/** A checkpoint tensor that cannot be loaded into the model (its shape differs from what the config implies). */
export class WeightLoadError extends Error {
  readonly code: "shape-mismatch" | "invalid-source";
  readonly tensor: string;
  constructor(code: WeightLoadError["code"], tensor: string, message: string) {
    super(message);
    this.name = "WeightLoadError";
    this.code = code;
    this.tensor = tensor;
  }
}
