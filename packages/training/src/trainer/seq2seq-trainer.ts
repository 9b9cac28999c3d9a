import type { EncoderDecoderModel, GenerationConfig, Seq2SeqInputs } from "@warmstart/composer";
import { prepareSeq2SeqBatch, type Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample } from "../data/read-pairs.js";
import { seq2seqMetric, type Seq2SeqMetricName } from "./metrics.js";
import { TRAINER_DEFAULTS } from "./defaults.js";
import { Trainer } from "./trainer.js";
import type { EvaluationOptions, TrainerOptions } from "./types.js";

export interface Seq2SeqEvaluationOptions extends Omit<
  EvaluationOptions<Seq2SeqExample>,
  "predict" | "metrics" | "examples"
> {
  examples: readonly Seq2SeqExample[];
  /** Generate predictions and score them with these metrics (default: loss only). */
  metrics?: readonly Seq2SeqMetricName[];
  /** Generation settings for predict-with-generate (numBeams, maxNewTokens, …). */
  generation?: Partial<GenerationConfig>;
}

export interface Seq2SeqTrainerOptions extends Omit<
  TrainerOptions<Seq2SeqExample, Seq2SeqInputs>,
  "model" | "collate" | "evaluation" | "lengthOf"
> {
  model: EncoderDecoderModel;
  sourceTokenizer: Tokenizer;
  /** Default: the source tokenizer (BERT2BERT). */
  targetTokenizer?: Tokenizer;
  maxSourceLength?: number;
  maxTargetLength?: number;
  /** Group examples of similar source length into batches (default false, as TrainingArguments' group_by_length). */
  groupByLength?: boolean;
  evaluation?: Seq2SeqEvaluationOptions;
}

/**
 * The Hugging Face Seq2SeqTrainer recipe for warm-started encoder-decoders: batches tokenised by
 * `prepareSeq2SeqBatch` (padded to the longest row), loss from `model.forward({ inputIds, attentionMask,
 * labels })`, evaluation loss plus predict-with-generate scored by @warmstart/evaluation.
 *
 * Only the labels go to the model, never the tokenizer's unshifted `decoderInputIds`: the composer builds the
 * decoder inputs by shifting the labels right, and its loss compares logits with labels position by position.
 */
export class Seq2SeqTrainer extends Trainer<Seq2SeqExample, Seq2SeqInputs> {
  constructor(options: Seq2SeqTrainerOptions) {
    const { model, sourceTokenizer, targetTokenizer, evaluation } = options;
    const collate = async (examples: readonly Seq2SeqExample[]): Promise<Seq2SeqInputs> => {
      const batch = await prepareSeq2SeqBatch(
        examples.map((e) => e.source),
        examples.map((e) => e.target),
        {
          sourceTokenizer,
          ...(targetTokenizer === undefined ? {} : { targetTokenizer }),
          ...(options.maxSourceLength === undefined ? {} : { maxSourceLength: options.maxSourceLength }),
          ...(options.maxTargetLength === undefined ? {} : { maxTargetLength: options.maxTargetLength }),
          padding: "longest",
        },
      );
      return { inputIds: batch.inputIds, attentionMask: batch.attentionMask, labels: batch.labels };
    };
    const decoderSide = targetTokenizer ?? sourceTokenizer;
    const metricNames = evaluation?.metrics ?? [];
    const evalBatch = evaluation?.batchSize ?? options.batchSize;
    const predict = async (examples: readonly Seq2SeqExample[]): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < examples.length; i += evalBatch) {
        const chunk = examples.slice(i, i + evalBatch);
        const encoded = await sourceTokenizer.batchEncode(
          chunk.map((e) => e.source),
          // The same truncation as training batches: unset means the tokenizer's model_max_length in both.
          {
            padding: "longest",
            truncation: true,
            ...(options.maxSourceLength === undefined ? {} : { maxLength: options.maxSourceLength }),
          },
        );
        const generated = await model.generate(
          { inputIds: encoded.inputIds, attentionMask: encoded.attentionMask },
          evaluation?.generation ?? {},
        );
        out.push(...(await decoderSide.batchDecode(generated.sequences, { skipSpecialTokens: true })));
      }
      return out;
    };
    let trainerEvaluation: EvaluationOptions<Seq2SeqExample> | undefined;
    if (evaluation !== undefined) {
      const { metrics: _names, generation: _generation, ...common } = evaluation;
      trainerEvaluation = {
        ...common,
        ...(metricNames.length === 0
          ? {}
          : {
              predict,
              metrics: (predictions: string[], examples: readonly Seq2SeqExample[]) =>
                Object.fromEntries(metricNames.map((name) => [name, seq2seqMetric(name, predictions, examples)])),
            }),
      };
    }
    const { evaluation: _evaluation, ...rest } = options;
    super({
      ...rest,
      model,
      collate,
      // Characters stand in for tokens: grouping only needs an order, and counting needs no tokenizer call.
      ...((options.groupByLength ?? TRAINER_DEFAULTS.groupByLength)
        ? { lengthOf: (e: Seq2SeqExample) => e.source.length }
        : {}),
      ...(trainerEvaluation === undefined ? {} : { evaluation: trainerEvaluation }),
    });
  }
}
