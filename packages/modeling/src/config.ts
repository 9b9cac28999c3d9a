import { ModelConfigError } from "./errors.js";

/** Raw Hugging Face `config.json` content. */
export type HFConfigJSON = Record<string, unknown>;

// Sizes beyond these are typos or corrupted files, never real models: reject them before allocating.
const MAX_DIMENSION = 1 << 20;
const MAX_LAYERS = 1024;

/** Readers that validate one snake_case field of a config.json and name it in the error. */
export class ConfigReader {
  readonly #json: HFConfigJSON;
  readonly #what: string;
  constructor(json: HFConfigJSON, what: string) {
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new ModelConfigError("INVALID_FIELD", "(root)", `${what} config must be a JSON object`);
    }
    this.#json = json;
    this.#what = what;
  }

  #fail(field: string, expected: string): never {
    const value = JSON.stringify(this.#json[field]);
    throw new ModelConfigError(
      "INVALID_FIELD",
      field,
      `${this.#what} config field "${field}" must be ${expected}, got ${value}`,
    );
  }

  has(field: string): boolean {
    return this.#json[field] !== undefined && this.#json[field] !== null;
  }

  /** A positive integer no larger than `max` (a dimension, a count of layers or heads). */
  size(field: string, fallback?: number, max = MAX_DIMENSION): number {
    const value = this.#json[field] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      this.#fail(field, `an integer between 1 and ${max}`);
    }
    return value;
  }

  layers(field: string, fallback?: number): number {
    return this.size(field, fallback, MAX_LAYERS);
  }

  /** An integer (token ids may be any non-negative integer) or null. */
  optionalInt(field: string, fallback: number | null = null): number | null {
    const value = this.#json[field] ?? fallback;
    if (value === null) return null;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      this.#fail(field, "a non-negative integer or null");
    }
    return value;
  }

  probability(field: string, fallback: number): number {
    const value = this.#json[field] ?? fallback;
    if (typeof value !== "number" || !(value >= 0 && value < 1)) this.#fail(field, "a number in [0, 1)");
    return value;
  }

  positive(field: string, fallback: number): number {
    const value = this.#json[field] ?? fallback;
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) this.#fail(field, "a positive number");
    return value;
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.#json[field] ?? fallback;
    if (typeof value !== "boolean") this.#fail(field, "true or false");
    return value;
  }

  string(field: string, fallback: string): string {
    const value = this.#json[field] ?? fallback;
    if (typeof value !== "string") this.#fail(field, "a string");
    return value;
  }

  /** An integer in [0, limit) naming a row of a table of `limit` rows (a padding id), or null. */
  index(field: string, limit: number, limitField: string, fallback: number | null): number | null {
    const value = this.optionalInt(field, fallback);
    if (value !== null && value >= limit) this.#fail(field, `smaller than ${limitField} (${limit})`);
    return value;
  }

  /** Fails unless `value` is a multiple of `divisor`; both fields are named. */
  requireDivisible(field: string, value: number, divisorField: string, divisor: number): void {
    if (value % divisor !== 0) this.#fail(field, `a multiple of ${divisorField} (${divisor})`);
  }
}

/** `model_type` of a config, or a typed error when it is missing. */
export function modelTypeOf(json: HFConfigJSON): string {
  const type = json?.model_type;
  if (typeof type !== "string") {
    throw new ModelConfigError(
      "UNKNOWN_MODEL_TYPE",
      "model_type",
      `config.json has no "model_type" string (got ${JSON.stringify(type)})`,
    );
  }
  return type;
}
