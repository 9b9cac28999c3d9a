import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  maskedCrossEntropy,
  modelFamilies,
  modelFamily,
  type DecoderModule,
  type FamilyDecoder,
  type FamilyPretraining,
  type ModelFamily,
  type PretrainObjective,
} from "@warmstart/composer";
import { tf, writeSafetensors } from "@warmstart/tensors";
import type { DropoutState, HFConfigJSON } from "@warmstart/modeling";
import { TrainingError } from "../errors.js";

export type { PretrainObjective };

/** A batch of fixed-length token blocks with their labels (-100 where no loss is taken). */
export interface LanguageModelBatch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

/** The registered families with a language-model class for `objective`, as listed in errors. */
function familiesFor(objective: PretrainObjective): string[] {
  return modelFamilies()
    .filter((f) => f.decoder !== null && f.pretraining?.architectures[objective] !== undefined)
    .map((f) => f.modelType);
}

/** A family with a language-model class to pre-train. */
export type PretrainableFamily = ModelFamily & { decoder: FamilyDecoder; pretraining: FamilyPretraining };

/**
 * The registered family of `config.model_type`, checked to have a language-model class for `objective`: the
 * pre-training entry point calls it before it trains a tokenizer, so a bad config fails at once.
 */
export function pretrainingFamily(objective: PretrainObjective, config: HFConfigJSON): PretrainableFamily {
  const modelType = config.model_type;
  const family = typeof modelType === "string" ? modelFamily(modelType) : undefined;
  if (family === undefined || family.decoder === null || family.pretraining === null) {
    const supported = modelFamilies()
      .filter((f) => f.decoder !== null && f.pretraining !== null)
      .map((f) => JSON.stringify(f.modelType));
    throw new TrainingError(
      "INVALID_OPTION",
      `config.model_type must be one of ${supported.join(", ")}, got ${JSON.stringify(modelType)}`,
    );
  }
  if (family.pretraining.architectures[objective] === undefined) {
    throw new TrainingError(
      "INVALID_OPTION",
      `objective "${objective}" needs a config of model_type ${familiesFor(objective).join(" or ")}; ` +
        `${family.modelType} is pre-trained with "${family.pretraining.objective}"`,
    );
  }
  return { ...family, decoder: family.decoder, pretraining: family.pretraining };
}

/**
 * A masked or causal LM of a registered model family (BERT/RoBERTa masked LM, GPT-2 or BERT/RoBERTa causal LM),
 * built from the family's causal-LM class, with the loss of its objective and Hub-layout saving. The masked LM is
 * the LM-head class with `is_decoder: false` (attention both ways), which has exactly the weights of HF's
 * BertForMaskedLM / RobertaForMaskedLM (`bert.*` / `roberta.*` without pooler, and `cls.predictions.*` / `lm_head.*`).
 */
export class LanguageModel {
  readonly objective: PretrainObjective;
  readonly module: DecoderModule;
  readonly modelType: string;
  readonly #family: PretrainableFamily;
  /** The config the module was built from: what config.json is written back from. */
  readonly #config: HFConfigJSON;

  constructor(objective: PretrainObjective, config: HFConfigJSON, options: { seed?: number } = {}) {
    this.objective = objective;
    const family = pretrainingFamily(objective, config);
    this.modelType = family.modelType;
    this.#family = family;
    // A family whose LM class also serves as a masked LM reads is_decoder for its attention direction; a
    // causal-only one (GPT-2) is causal whatever is_decoder says, and its config is kept as given.
    const bidirectional = family.pretraining.architectures.mlm !== undefined;
    this.#config = bidirectional ? { ...config, is_decoder: objective === "clm" } : config;
    this.module = family.decoder.create(this.#config, { seed: options.seed ?? 0 });
  }

  namedParameters(): Map<string, tf.Variable> {
    return new Map(this.module.parameters.entries());
  }

  /**
   * Masked LM: cross-entropy at the labelled positions. Causal LM: position t predicts token t + 1, so the
   * logits lose their last position and the labels their first (as GPT2LMHeadModel shifts).
   */
  forward(batch: LanguageModelBatch): { loss: tf.Scalar } {
    return tf.tidy(() => {
      const { logits } = this.module.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask });
      if (this.objective === "mlm") return { loss: maskedCrossEntropy(logits, batch.labels) };
      // An LM's logits are [batch, length, vocab].
      const [b, t, v] = logits.shape as [number, number, number];
      const shifted = tf.slice(logits, [0, 0, 0], [b, t - 1, v]);
      return {
        loss: maskedCrossEntropy(
          shifted,
          batch.labels.map((row) => row.slice(1)),
        ),
      };
    });
  }

  train(): this {
    this.module.train();
    return this;
  }

  eval(): this {
    this.module.eval();
    return this;
  }

  /** The dropout stream's position, stored in trainer checkpoints so a resumed pre-training run is exact. */
  getRandomState(): DropoutState {
    return this.module.getDropoutState();
  }

  setRandomState(state: unknown): void {
    this.module.setDropoutState(state as DropoutState);
  }

  /** The HF config.json of this model (with `architectures`). */
  configJSON(): HFConfigJSON {
    // The constructor checked that the family has an architecture for this objective.
    const architecture = this.#family.pretraining.architectures[this.objective] as string;
    return { ...this.#family.configToHF(this.#config), architectures: [architecture] };
  }

  /** config.json and model.safetensors (each tied tensor once, under its first name), as the Hub lays them out. */
  async savePretrained(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const tensors = new Map<string, tf.Tensor>();
    const seen = new Set<tf.Variable>();
    for (const [name, variable] of this.module.parameters.entries()) {
      if (seen.has(variable)) continue;
      seen.add(variable);
      tensors.set(name, variable);
    }
    await writeFile(join(dir, "config.json"), `${JSON.stringify(this.configJSON(), null, 2)}\n`, "utf8");
    await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  }

  dispose(): void {
    this.module.dispose();
  }
}
