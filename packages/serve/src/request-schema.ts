import type { GenerationConfig } from "@warmstart/composer";

/**
 * The generation options of `warmstart generate`, as JSON fields (snake_case, transformers' names), with the
 * bounds of the CLI's flags. Unset fields take the model's generation_config.json, as the CLI's unset flags do.
 */
export const GENERATION_FIELDS = {
  num_beams: { key: "numBeams", schema: { type: "integer", minimum: 1, maximum: 64 } },
  max_length: { key: "maxLength", schema: { type: "integer", minimum: 1, maximum: 100_000 } },
  max_new_tokens: { key: "maxNewTokens", schema: { type: "integer", minimum: 1, maximum: 100_000 } },
  min_length: { key: "minLength", schema: { type: "integer", minimum: 0, maximum: 100_000 } },
  no_repeat_ngram_size: { key: "noRepeatNgramSize", schema: { type: "integer", minimum: 0, maximum: 100 } },
  length_penalty: { key: "lengthPenalty", schema: { type: "number" } },
  repetition_penalty: { key: "repetitionPenalty", schema: { type: "number", exclusiveMinimum: 0 } },
  do_sample: { key: "doSample", schema: { type: "boolean" } },
  temperature: { key: "temperature", schema: { type: "number", exclusiveMinimum: 0 } },
  top_k: { key: "topK", schema: { type: "integer", minimum: 0 } },
  top_p: { key: "topP", schema: { type: "number", exclusiveMinimum: 0, maximum: 1 } },
  seed: { key: "seed", schema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
} as const satisfies Record<string, { key: keyof GenerationConfig; schema: object }>;

export type GenerationField = keyof typeof GENERATION_FIELDS;

/** The body of `POST /v1/generate`. */
export interface GenerateRequestBody {
  inputs: string | string[];
  stream?: boolean;
  timeout_ms?: number;
  truncate?: boolean;
  num_beams?: number;
  max_length?: number;
  max_new_tokens?: number;
  min_length?: number;
  no_repeat_ngram_size?: number;
  length_penalty?: number;
  repetition_penalty?: number;
  do_sample?: boolean;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  seed?: number;
}

/** The JSON schema fastify validates the body with: an unknown field is refused, never dropped. */
export function generateBodySchema(maxInputs: number): object {
  const generation = Object.fromEntries(Object.entries(GENERATION_FIELDS).map(([name, f]) => [name, f.schema]));
  return {
    type: "object",
    required: ["inputs"],
    additionalProperties: false,
    properties: {
      inputs: {
        anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 1, maxItems: maxInputs }],
      },
      stream: { type: "boolean" },
      timeout_ms: { type: "integer", minimum: 1, maximum: 86_400_000 },
      truncate: { type: "boolean" },
      ...generation,
    },
  };
}

/** Only the fields the client set, as a `GenerationConfig` (the checkpoint's generation_config.json fills the rest). */
export function generationConfigOf(body: GenerateRequestBody): Partial<GenerationConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(GENERATION_FIELDS)) {
    const value = body[name as GenerationField];
    if (value !== undefined) out[field.key] = value;
  }
  return out as Partial<GenerationConfig>;
}

/** The JSON field of a camelCase `GenerationConfig` key, for errors raised by `generate()`. */
export function fieldOfSetting(setting: string | undefined): string | undefined {
  if (setting === undefined) return undefined;
  for (const [name, field] of Object.entries(GENERATION_FIELDS)) if (field.key === setting) return name;
  return setting;
}
