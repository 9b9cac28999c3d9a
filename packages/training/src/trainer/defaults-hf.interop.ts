// The trainer's defaults and its weight-decay split against real Hugging Face transformers (both lines of
// oracle/): Seq2SeqTrainingArguments' defaults, and Trainer.get_decay_parameter_names on tiny compositions
// built and saved here. Run: node --import tsx --test packages/training/src/trainer/defaults-hf.interop.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EncoderDecoderModel } from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { ORACLE_LINES, runOracle } from "@warmstart/test-utils";
import { decaysWeight } from "../optim/decay.js";
import { TRAINER_DEFAULTS } from "./defaults.js";

const scratch = mkdtempSync(join(tmpdir(), "defaults-hf-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Each project default beside the TrainingArguments field it mirrors. */
const MIRRORED: [keyof typeof TRAINER_DEFAULTS | "adamBeta1" | "adamBeta2", string, unknown][] = [
  ["learningRate", "learning_rate", TRAINER_DEFAULTS.learningRate],
  ["weightDecay", "weight_decay", TRAINER_DEFAULTS.weightDecay],
  ["adamBeta1", "adam_beta1", TRAINER_DEFAULTS.betas[0]],
  ["adamBeta2", "adam_beta2", TRAINER_DEFAULTS.betas[1]],
  ["eps", "adam_epsilon", TRAINER_DEFAULTS.eps],
  ["maxGradNorm", "max_grad_norm", TRAINER_DEFAULTS.maxGradNorm],
  ["epochs", "num_train_epochs", TRAINER_DEFAULTS.epochs],
  ["schedule", "lr_scheduler_type", TRAINER_DEFAULTS.schedule],
  ["warmupSteps", "warmup_steps", TRAINER_DEFAULTS.warmupSteps],
  ["loggingSteps", "logging_steps", TRAINER_DEFAULTS.loggingSteps],
  ["saveSteps", "save_steps", TRAINER_DEFAULTS.saveSteps],
  ["seed", "seed", TRAINER_DEFAULTS.seed],
  ["gradientAccumulationSteps", "gradient_accumulation_steps", TRAINER_DEFAULTS.gradientAccumulationSteps],
  ["labelSmoothingFactor", "label_smoothing_factor", TRAINER_DEFAULTS.labelSmoothingFactor],
];

interface Answer {
  version: string;
  training_args: Record<string, unknown>;
  decay: { all: string[]; decay: string[] }[];
}

const bert = {
  model_type: "bert",
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 20,
  max_position_embeddings: 16,
};
const roberta = {
  ...bert,
  model_type: "roberta",
  hidden_size: 12,
  max_position_embeddings: 18,
  pad_token_id: 1,
  type_vocab_size: 1,
};
const gpt2 = {
  model_type: "gpt2",
  vocab_size: 41,
  n_embd: 16,
  n_layer: 2,
  n_head: 2,
  n_positions: 16,
  bos_token_id: 40,
  eos_token_id: 40,
};
const COMPOSITIONS = [
  { name: "bert2bert", encoder: bert, decoder: bert, options: { decoderStartTokenId: 2, padTokenId: 0 } },
  {
    name: "bertshare",
    encoder: bert,
    decoder: bert,
    options: { decoderStartTokenId: 2, padTokenId: 0, tieEncoderDecoder: true },
  },
  { name: "bert2gpt2", encoder: bert, decoder: gpt2, options: { decoderStartTokenId: 40, padTokenId: 40 } },
  { name: "roberta2gpt2", encoder: roberta, decoder: gpt2, options: { decoderStartTokenId: 40, padTokenId: 40 } },
];

for (const line of ORACLE_LINES) {
  test(`trainer defaults and decay split match transformers ${line}`, async (t) => {
    await initBackend();
    const models: { name: string; names: string[] }[] = [];
    for (const c of COMPOSITIONS) {
      const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(c.encoder, c.decoder, c.options);
      const dir = join(scratch, `${line}-${c.name}`);
      await model.savePretrained(dir);
      models.push({ name: dir, names: [...model.namedParameters().keys()] });
      model.dispose();
    }
    const answer = runOracle<Answer>(line, "forward_probe.py", {
      training_args: true,
      decay: models.map((m) => m.name),
    });
    const args = answer.training_args;
    for (const [ours, theirs, value] of MIRRORED) {
      assert.equal(
        value,
        args[theirs],
        `${ours} = ${value}, transformers ${answer.version} ${theirs} = ${args[theirs]}`,
      );
    }
    // 4.x: group_by_length False; 5.x replaced it by train_sampling_strategy, default "random".
    if ("group_by_length" in args) assert.equal(TRAINER_DEFAULTS.groupByLength, args.group_by_length);
    else assert.equal(args.train_sampling_strategy, "random");
    assert.equal(TRAINER_DEFAULTS.groupByLength, false);
    assert.equal(args.save_strategy, "steps");
    t.diagnostic(`transformers ${answer.version} TrainingArguments: ${JSON.stringify(args)}`);
    models.forEach((m, i) => {
      const { all, decay } = answer.decay[i] as { all: string[]; decay: string[] };
      const theirs = new Set(all);
      const decayed = new Set(decay);
      // Every project weight is a transformers parameter name (tied ones under each name, as named there).
      for (const name of m.names) assert.ok(theirs.has(name), `${name} is not a transformers parameter of ${m.name}`);
      for (const name of all) {
        assert.equal(
          decaysWeight(name),
          decayed.has(name),
          `${name}: decay ${decaysWeight(name)}, transformers ${decayed.has(name)}`,
        );
      }
      t.diagnostic(`${m.name.split("/").pop()}: ${all.length} names, ${decay.length} decayed, all agree`);
    });
  });
}
