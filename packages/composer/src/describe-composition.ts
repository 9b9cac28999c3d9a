import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveModel, type ResolveModelOptions } from "@warmstart/hub";
import { openCheckpoint } from "@warmstart/tensors";
import { baseConfig, isBaseConfigName } from "./base-configs.js";
import { summarise, type CompositionReport, type WeightEntry } from "./composition-report.js";
import { planComposition, projectionShapes } from "./composition-plan.js";
import type { HFConfigJSON } from "./encoder-decoder-config.js";
import { ComposerError } from "./errors.js";
import type { ModelFamily } from "./families/model-family.js";
import { readConfigFile, resolvePart, type PartSpec, type ResolvedPart } from "./part-source.js";
import { checkpointProvides, isCrossAttention } from "./weight-names.js";

export interface DescribeOptions {
  tieEncoderDecoder?: boolean;
  /** Laid over the encoder checkpoint's config, or the whole config of a `null` encoder. */
  encoderConfig?: HFConfigJSON;
  decoderConfig?: HFConfigJSON;
  /** For Hub ids: options of `resolveModel`; only config.json is fetched, never weights. */
  hub?: ResolveModelOptions;
}

/** Which weights a pretrained part would take from its checkpoint, decided without reading any weight. */
type Provides = (name: string) => boolean;

async function providerOf(part: ResolvedPart, family: ModelFamily, role: "encoder" | "decoder"): Promise<Provides> {
  if (part.label === null) return () => false;
  if (part.dir === null) {
    // A Hub checkpoint known by its config only: it holds every weight of the stand-alone pretrained model.
    return (name) =>
      !(role === "decoder" && isCrossAttention(name)) && !(role === "encoder" && family.hubCheckpointLacks(name));
  }
  const hasWeights = [
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
  ].some((f) => existsSync(join(part.dir as string, f)));
  if (!hasWeights) {
    throw new ComposerError(
      "MISSING_WEIGHTS",
      `${part.dir}: no model.safetensors or pytorch_model.bin (or index) to take ${role} weights from`,
    );
  }
  // Only the header (for .bin, data.pkl) is read: the tensor names, no data.
  const checkpoint = await openCheckpoint(part.dir);
  const names = new Set(checkpoint.names());
  checkpoint.close();
  return (name) => checkpointProvides(names, name, family.basePrefix);
}

/** Shipped base configs by name; any other Hub id fetches its config.json alone. */
function configOnly(hub: ResolveModelOptions | undefined) {
  return async (id: string): Promise<{ dir: null; config: HFConfigJSON }> => {
    if (isBaseConfigName(id)) return { dir: null, config: baseConfig(id) };
    const dir = await resolveModel(id, { ...hub, files: ["config.json"] });
    return { dir: null, config: readConfigFile(dir) };
  };
}

/**
 * The parameter accounting of a composition from configs alone (no weights are read or downloaded): total,
 * leveraged, random and tied counts per part and the names of the random weights — what
 * `EncoderDecoderModel.fromEncoderDecoderPretrained(encoder, decoder, options).warmStartReport()` would give.
 * Parts are the shipped base configs by name (`"bert-base-uncased"`, `"bert-base-cased"`, `"roberta-base"`,
 * `"gpt2"`), other Hub ids (config.json alone is fetched), local checkpoint folders (only the safetensors
 * header is read), config objects, or `null` with the config in options (random parts). A pretrained part
 * known by its config only is assumed to hold its family's pretraining weights (RoBERTa: no pooler).
 */
export async function describeComposition(
  encoder: PartSpec,
  decoder: PartSpec,
  options: DescribeOptions = {},
): Promise<CompositionReport> {
  const locate = configOnly(options.hub);
  const encoderPart = await resolvePart(encoder, options.encoderConfig, "encoder", locate);
  const decoderPart = await resolvePart(decoder, options.decoderConfig, "decoder", locate);
  const plan = planComposition(encoderPart.config, decoderPart.config, options.tieEncoderDecoder ?? false);
  const encoderProvides = await providerOf(encoderPart, plan.encoderFamily, "encoder");
  const decoderProvides = await providerOf(decoderPart, plan.decoderFamily, "decoder");
  const tiedTo = new Map(plan.ties.map((t) => [t.decoder, t.encoder]));
  // A tied tensor holds the decoder's values (transformers 4's direction), so its origin is the decoder's.
  const tiedFrom = new Map(plan.ties.map((t) => [t.encoder, t.decoder]));
  const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  const entries: WeightEntry[] = [];
  for (const [name, shape] of plan.encoderShapes) {
    const decoderName = tiedFrom.get(name);
    const provided = decoderName === undefined ? encoderProvides(name) : decoderProvides(decoderName);
    entries.push({
      name: `encoder.${name}`,
      part: "encoder",
      size: size(shape),
      origin: provided ? "checkpoint" : "random",
    });
  }
  for (const [name, shape] of plan.decoderShapes) {
    const encoderName = tiedTo.get(name);
    entries.push({
      name: `decoder.${name}`,
      part: "decoder",
      size: size(shape),
      origin: decoderProvides(name) ? "checkpoint" : "random",
      ...(encoderName === undefined ? {} : { sameAs: `encoder.${encoderName}` }),
    });
  }
  if (plan.projection !== null) {
    for (const [name, shape] of projectionShapes(plan.projection)) {
      entries.push({ name, part: "projection", size: size(shape), origin: "random" });
    }
  }
  return summarise(entries);
}
