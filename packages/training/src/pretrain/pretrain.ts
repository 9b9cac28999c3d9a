import type { HFConfigJSON } from "@warmstart/modeling";
import { IGNORE_INDEX, type SeededRandom } from "@warmstart/core";
import { ensureBackend } from "@warmstart/tensors";
import { AutoTokenizer, trainTokenizer, type Tokenizer } from "@warmstart/tokenizers";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TrainingError } from "../errors.js";
import { causalLmLabels } from "../lm/clm.js";
import { maskTokens } from "../lm/mlm.js";
import type { ScheduleSpec } from "../optim/schedules.js";
import { Trainer } from "../trainer/trainer.js";
import type { TrainResult } from "../trainer/types.js";
import { readTextLines, tokenBlocks } from "./blocks.js";
import { LanguageModel, pretrainingFamily, type LanguageModelBatch, type PretrainObjective } from "./language-model.js";

export interface PretrainOptions {
  objective: PretrainObjective;
  /** HF config.json fields of the model (model_type bert/roberta/gpt2); vocab_size and special ids come from the tokenizer. */
  config: HFConfigJSON;
  /** Plain-text training files, one or more sentences per line. */
  textFiles: readonly string[];
  /** Held-out text for an evaluation loss (optional). */
  validationFiles?: readonly string[];
  /**
   * A tokenizer, or the size of one to train on `textFiles` (WordPiece for BERT, byte-level BPE for RoBERTa/GPT-2);
   * `showProgress` as in `trainTokenizer` (the Rust trainer's bars on stderr; default true).
   */
  tokenizer: Tokenizer | { vocabSize: number; lowercase?: boolean; showProgress?: boolean };
  /** The Hub-layout folder to write (config.json, model.safetensors, tokenizer files); checkpoints go inside. */
  outputDir: string;
  /** Tokens per training sequence (default 128). */
  blockSize?: number;
  batchSize?: number;
  maxSteps?: number;
  epochs?: number;
  learningRate?: number;
  warmupSteps?: number;
  schedule?: ScheduleSpec;
  weightDecay?: number;
  gradientAccumulationSteps?: number;
  /** Masked-LM share of tokens chosen (default 0.15). */
  mlmProbability?: number;
  seed?: number;
  saveSteps?: number;
  saveTotalLimit?: number;
  loggingSteps?: number;
  evalSteps?: number;
  log?: (line: string) => void;
  /** Continue from a checkpoint folder of an earlier run (or "latest"). */
  resumeFrom?: string;
}

export interface PretrainResult extends TrainResult {
  outputDir: string;
  tokenizer: Tokenizer;
  /** Number of training blocks. */
  blocks: number;
}

/**
 * Pre-trains a small BERT/RoBERTa (masked LM: 15% of tokens, 80/10/10) or GPT-2 (causal LM) on plain text
 * and writes a Hub-layout folder that `EncoderDecoderModel.fromEncoderDecoderPretrained` loads like any
 * Hub checkpoint.
 */
export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  // pretrain builds the model itself: pick the best backend when the caller started none.
  await ensureBackend();
  // Checked before a tokenizer is trained for it; the family says which tokenizer that is.
  const family = pretrainingFamily(options.objective, options.config);
  const log = options.log ?? ((line: string) => console.log(line));
  // Positions the model can take, as the family's typed config reads them.
  const limit = family.maxPositions(options.config);
  const tokenizer =
    "batchEncode" in options.tokenizer
      ? options.tokenizer
      : options.resumeFrom !== undefined
        ? await tokenizerOfInterruptedRun(options.outputDir)
        : await trainTokenizer({
            files: options.textFiles,
            ...family.tokenizer,
            vocabSize: options.tokenizer.vocabSize,
            ...(options.tokenizer.lowercase === undefined ? {} : { lowercase: options.tokenizer.lowercase }),
            ...(options.tokenizer.showProgress === undefined ? {} : { showProgress: options.tokenizer.showProgress }),
            ...(Number.isFinite(limit) ? { modelMaxLength: limit } : {}),
          });
  // Saved before the first step: training a tokenizer is not deterministic (the Rust trainer breaks ties between
  // equally frequent merges in hash-map order), so a resumed run must read the interrupted run's, not train anew.
  if (!("batchEncode" in options.tokenizer) && options.resumeFrom === undefined) {
    await tokenizer.save(options.outputDir);
  }
  const blockSize = options.blockSize ?? 128;
  const config: HFConfigJSON = { ...options.config, vocab_size: tokenizer.vocabSize };
  const specials = [
    tokenizer.padTokenId,
    tokenizer.clsTokenId,
    tokenizer.sepTokenId,
    tokenizer.bosTokenId,
    tokenizer.eosTokenId,
    tokenizer.maskTokenId,
    tokenizer.unkTokenId,
  ].filter((id): id is number => id !== undefined);
  for (const [field, id] of [
    ["pad_token_id", tokenizer.padTokenId],
    ["bos_token_id", tokenizer.bosTokenId],
    ["eos_token_id", tokenizer.eosTokenId],
  ] as const) {
    if (id !== undefined) config[field] = id;
  }
  let wrap: { first: number; last: number } | undefined;
  if (options.objective === "mlm") {
    // RoBERTa's template wraps a sequence in <s> … </s> (bos/eos), WordPiece's in [CLS] … [SEP].
    const roberta = family.tokenizer.kind === "bpe" && family.tokenizer.template === "roberta";
    const first = roberta ? tokenizer.bosTokenId : tokenizer.clsTokenId;
    const last = roberta ? tokenizer.eosTokenId : tokenizer.sepTokenId;
    if (first === undefined || last === undefined || tokenizer.maskTokenId === undefined) {
      throw new TrainingError(
        "INVALID_OPTION",
        "masked-LM pre-training needs a tokenizer with cls/sep (or bos/eos) and mask tokens",
      );
    }
    wrap = { first, last };
  }
  if (blockSize > limit) {
    throw new TrainingError("INVALID_OPTION", `blockSize ${blockSize} exceeds the config's ${limit} positions`);
  }
  const blocks = await tokenBlocks(await readTextLines(options.textFiles), tokenizer, blockSize, wrap);
  if (blocks.length === 0) {
    throw new TrainingError("INVALID_OPTION", `the text files hold fewer than ${blockSize} tokens`);
  }
  const validation =
    options.validationFiles === undefined
      ? undefined
      : await tokenBlocks(await readTextLines(options.validationFiles), tokenizer, blockSize, wrap);
  log(
    `pre-training ${family.modelType} (${options.objective}) on ${blocks.length} blocks of ${blockSize} tokens, vocabulary ${tokenizer.vocabSize}`,
  );

  const model = new LanguageModel(options.objective, config, { seed: options.seed ?? 0 });
  const maskTokenId = tokenizer.maskTokenId;
  const collate = (examples: readonly number[][], rng: SeededRandom): LanguageModelBatch => {
    const attentionMask = examples.map((row) => row.map(() => 1));
    if (options.objective === "clm") {
      return { inputIds: examples.map((r) => r.slice()), attentionMask, labels: causalLmLabels(examples, {}) };
    }
    for (;;) {
      const masked = maskTokens(examples, {
        maskTokenId: maskTokenId as number,
        vocabSize: tokenizer.vocabSize,
        specialTokenIds: specials,
        ...(options.mlmProbability === undefined ? {} : { probability: options.mlmProbability }),
        rng,
      });
      // A batch with no chosen token has no loss at all; draw again (rare for any realistic batch).
      if (masked.labels.some((row) => row.some((id) => id !== IGNORE_INDEX))) return { ...masked, attentionMask };
    }
  };
  try {
    const trainer = new Trainer<number[], LanguageModelBatch>({
      model,
      trainExamples: blocks,
      collate,
      batchSize: options.batchSize ?? 8,
      ...(options.gradientAccumulationSteps === undefined
        ? {}
        : { gradientAccumulationSteps: options.gradientAccumulationSteps }),
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      optimizer: { weightDecay: options.weightDecay ?? 0.01 },
      ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
      ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }),
      ...(options.warmupSteps === undefined ? {} : { warmupSteps: options.warmupSteps }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      outputDir: options.outputDir,
      ...(options.saveSteps === undefined ? {} : { saveSteps: options.saveSteps }),
      ...(options.saveTotalLimit === undefined ? {} : { saveTotalLimit: options.saveTotalLimit }),
      ...(options.loggingSteps === undefined ? {} : { loggingSteps: options.loggingSteps }),
      log,
      ...(validation === undefined || validation.length === 0
        ? {}
        : { evaluation: { examples: validation, everySteps: options.evalSteps ?? options.saveSteps ?? 500 } }),
    });
    if (options.resumeFrom !== undefined) await trainer.resume(options.resumeFrom);
    const result = await trainer.train();
    model.eval();
    await model.savePretrained(options.outputDir);
    await tokenizer.save(options.outputDir);
    return { ...result, outputDir: options.outputDir, tokenizer, blocks: blocks.length };
  } finally {
    model.dispose();
  }
}

/** The tokenizer an interrupted run trained and saved in its output folder before its first step. */
async function tokenizerOfInterruptedRun(outputDir: string): Promise<Tokenizer> {
  if (!existsSync(join(outputDir, "tokenizer.json"))) {
    throw new TrainingError(
      "INVALID_OPTION",
      `resuming needs the tokenizer the interrupted run trained, ${join(outputDir, "tokenizer.json")}, and it is not there ` +
        "(runs of warmstart before it was saved at the start did not write it until the end): start again without resuming",
    );
  }
  return AutoTokenizer.fromPretrained(outputDir);
}
