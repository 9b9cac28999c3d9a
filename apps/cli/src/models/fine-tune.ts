import type { EncoderDecoderModel } from "@warmstart/composer";
import type { Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample, Seq2SeqMetricName, TrainResult } from "@warmstart/training";
import type { CommandContext } from "../framework/context.js";
import { warnWarmupLongerThanTraining } from "./schedule-warnings.js";
import { trainerLog } from "./trainer-log.js";

export interface FineTuneOptions {
  model: EncoderDecoderModel;
  tokenizers: { source: Tokenizer; target: Tokenizer };
  train: readonly Seq2SeqExample[];
  evaluation?: readonly Seq2SeqExample[] | undefined;
  /** Checkpoints, the JSONL log and the final model go here. */
  out: string;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Learning rate after warm-up: decays linearly to 0 at the last step (the default), or stays constant. */
  decay?: "linear" | "constant" | undefined;
  steps?: number | undefined;
  epochs?: number | undefined;
  maxSourceLength: number;
  maxTargetLength: number;
  seed: number;
  loggingSteps: number;
  saveSteps?: number | undefined;
  /** Keep at most this many checkpoints (HF's save_total_limit). */
  saveTotalLimit?: number | undefined;
  evalSteps?: number | undefined;
  metric?: Seq2SeqMetricName | undefined;
  numBeams?: number | undefined;
  /** "latest" or a checkpoint folder. */
  resume?: string | undefined;
  /** Words on the progress bar. */
  label: string;
}

/** Seq2SeqTrainer as the CLI runs it; the final model is saved into `out`. */
export async function fineTune(ctx: CommandContext, o: FineTuneOptions): Promise<TrainResult> {
  const { Seq2SeqTrainer } = await import("@warmstart/training");
  const progress = trainerLog(ctx, o.label);
  const trainer = new Seq2SeqTrainer({
    model: o.model,
    sourceTokenizer: o.tokenizers.source,
    targetTokenizer: o.tokenizers.target,
    trainExamples: o.train,
    batchSize: o.batchSize,
    maxSourceLength: o.maxSourceLength,
    maxTargetLength: o.maxTargetLength,
    learningRate: o.learningRate,
    warmupSteps: o.warmupSteps,
    ...(o.decay === "constant"
      ? { schedule: { kind: "constantWithWarmup" as const, lr: o.learningRate, warmupSteps: o.warmupSteps } }
      : {}),
    ...(o.steps === undefined ? {} : { maxSteps: o.steps }),
    ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
    seed: o.seed,
    outputDir: o.out,
    ...(o.saveSteps === undefined ? {} : { saveSteps: o.saveSteps }),
    ...(o.saveTotalLimit === undefined ? {} : { saveTotalLimit: o.saveTotalLimit }),
    loggingSteps: o.loggingSteps,
    log: progress.log,
    ...(o.evaluation === undefined
      ? {}
      : {
          evaluation: {
            examples: o.evaluation,
            everySteps: o.evalSteps ?? o.saveSteps ?? 500,
            ...(o.metric === undefined
              ? {}
              : {
                  metrics: [o.metric],
                  metricForBestModel: o.metric,
                  generation: { numBeams: o.numBeams ?? 1, maxLength: o.maxTargetLength },
                }),
          },
        }),
  });
  warnWarmupLongerThanTraining(ctx, o.warmupSteps, trainer.totalSteps, o.learningRate);
  if (o.resume !== undefined) await trainer.resume(o.resume);
  o.model.train();
  const result = await trainer.train();
  progress.finish();
  o.model.eval();
  await o.model.savePretrained(o.out);
  return result;
}
