import type { HFConfigJSON } from "../encoder-decoder-config.js";
import { ComposerError } from "../errors.js";
import { bertFamily } from "./bert.js";
import { gpt2Family } from "./gpt2.js";
import type { ModelFamily } from "./model-family.js";
import { robertaFamily } from "./roberta.js";

/**
 * The one `model_type` → family map. The built-in families are listed here rather than registering themselves
 * on import: the package is side-effect free, so a bundler may drop a module imported only for its effect.
 */
const FAMILIES = new Map<string, ModelFamily>([bertFamily, robertaFamily, gpt2Family].map((f) => [f.modelType, f]));

/**
 * Makes a family known to every lookup (composition, `describeComposition`, `AutoEncoder` / `AutoDecoder`,
 * pre-training, `warmstart inspect`). Refuses a `model_type` that is already registered: replacing BERT
 * silently would change every BERT composition.
 */
export function registerModelFamily(family: ModelFamily): void {
  if (typeof family.modelType !== "string" || family.modelType === "") {
    throw new ComposerError("INVALID_CONFIG", `registerModelFamily: modelType must be a non-empty string`);
  }
  if (family.encoder === null && family.decoder === null) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `registerModelFamily: model_type "${family.modelType}" needs an encoder or a decoder (both are null)`,
    );
  }
  if (FAMILIES.has(family.modelType)) {
    throw new ComposerError(
      "INVALID_CONFIG",
      `registerModelFamily: model_type "${family.modelType}" is already registered (unregister it first)`,
    );
  }
  FAMILIES.set(family.modelType, family);
}

/** Removes a registered family (for test hygiene, or to replace one); returns whether it was registered. */
export function unregisterModelFamily(modelType: string): boolean {
  return FAMILIES.delete(modelType);
}

/** Every registered family, in registration order (the built-in ones first: bert, roberta, gpt2). */
export function modelFamilies(): ModelFamily[] {
  return [...FAMILIES.values()];
}

/** The registered `model_type`s, in registration order: what "supported:" lists in errors. */
export function modelTypes(): string[] {
  return [...FAMILIES.keys()];
}

/** The family registered for `modelType`, or undefined. */
export function modelFamily(modelType: string): ModelFamily | undefined {
  return FAMILIES.get(modelType);
}

/**
 * The family of a composition's sub-config, checked for the role it is to play (as the encoder it must have an
 * encoder class, as the decoder a causal-LM class).
 */
export function familyForRole(json: HFConfigJSON, role: "encoder" | "decoder"): ModelFamily {
  const modelType = json.model_type;
  const family = typeof modelType === "string" ? FAMILIES.get(modelType) : undefined;
  if (family === undefined) {
    throw new ComposerError(
      "UNSUPPORTED_MODEL_TYPE",
      `${role} config: model_type ${JSON.stringify(modelType)} is not supported (supported: ${modelTypes().join(", ")})`,
    );
  }
  if (family[role] === null) {
    const able = modelFamilies()
      .filter((f) => f[role] !== null)
      .map((f) => f.modelType)
      .join(" or ");
    const kind = role === "encoder" ? "a decoder-only" : "an encoder-only";
    throw new ComposerError(
      "UNSUPPORTED_MODEL_TYPE",
      `${role} config: model_type "${family.modelType}" is ${kind} architecture; use ${able} as the ${role}`,
    );
  }
  return family;
}
