import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { maskedCrossEntropy } from "@warmstart/composer";
import { BertLMHeadModel, gpt2ConfigToHF, GPT2LMHeadModel, RobertaForCausalLM } from "@warmstart/decoders";
import { bertConfigToHF, robertaConfigToHF } from "@warmstart/encoders";
import type { DropoutState, HFConfigJson } from "@warmstart/modeling";
import { tf, writeSafetensors } from "@warmstart/tensors";
import { TrainingError } from "../errors.js";

export type PretrainObjective = "mlm" | "clm";

/** A batch of fixed-length token blocks with their labels (-100 where no loss is taken). */
export interface LanguageModelBatch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

type Module = BertLMHeadModel | RobertaForCausalLM | GPT2LMHeadModel;

const ARCHITECTURES = {
  mlm: { bert: "BertForMaskedLM", roberta: "RobertaForMaskedLM" },
  clm: { bert: "BertLMHeadModel", roberta: "RobertaForCausalLM", gpt2: "GPT2LMHeadModel" },
} as const;

/**
 * A BERT/RoBERTa masked LM or a GPT-2 (or BERT/RoBERTa) causal LM, built from the decoders package's LM-head
 * classes, with the loss of its objective and Hub-layout saving. The masked LM is the LM-head class with
 * `is_decoder: false` (attention both ways), which has exactly the weights of HF's BertForMaskedLM /
 * RobertaForMaskedLM (`bert.*` / `roberta.*` without pooler, and `cls.predictions.*` / `lm_head.*`).
 */
export class LanguageModel {
  readonly objective: PretrainObjective;
  readonly module: Module;
  readonly modelType: "bert" | "roberta" | "gpt2";

  constructor(objective: PretrainObjective, config: HFConfigJson, options: { seed?: number } = {}) {
    this.objective = objective;
    const modelType = config.model_type;
    const seed = options.seed ?? 0;
    if (modelType !== "bert" && modelType !== "roberta" && modelType !== "gpt2") {
      throw new TrainingError(
        "INVALID_OPTION",
        `config.model_type must be "bert", "roberta" or "gpt2", got ${JSON.stringify(modelType)}`,
      );
    }
    if (objective === "mlm" && modelType === "gpt2") {
      throw new TrainingError(
        "INVALID_OPTION",
        'objective "mlm" needs a BERT or RoBERTa config; GPT-2 is pre-trained with "clm"',
      );
    }
    this.modelType = modelType;
    const isDecoder = objective === "clm";
    if (modelType === "bert") this.module = BertLMHeadModel.fromConfig({ ...config, is_decoder: isDecoder }, { seed });
    else if (modelType === "roberta") {
      this.module = RobertaForCausalLM.fromConfig({ ...config, is_decoder: isDecoder }, { seed });
    } else this.module = GPT2LMHeadModel.fromConfig(config, { seed });
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
      const [b, t, v] = logits.shape;
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
  configJSON(): HFConfigJson {
    const m = this.module;
    const base =
      m instanceof GPT2LMHeadModel
        ? gpt2ConfigToHF(m.config)
        : m instanceof RobertaForCausalLM
          ? robertaConfigToHF(m.config)
          : bertConfigToHF(m.config);
    const architectures = (ARCHITECTURES[this.objective] as Record<string, string>)[this.modelType];
    return { ...base, architectures: architectures === undefined ? [] : [architectures] };
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
