import type { EncoderDecoderModel, GenerationConfig, Seq2SeqInputs } from "@warmstart/composer";
import { SeededRandom } from "@warmstart/core";
import { prepareSeq2SeqBatch, type Tokenizer } from "@warmstart/tokenizers";
import type { Seq2SeqExample } from "../data/read-pairs.js";
import { checkSeq2SeqMetrics, seq2seqScores, type Seq2SeqMetricName } from "./metrics.js";
import { TRAINER_DEFAULTS } from "./defaults.js";
import { Trainer } from "./trainer.js";
import type { EvaluationOptions, TrainerOptions } from "./types.js";

export interface Seq2SeqEvaluationOptions extends Omit<
  EvaluationOptions<Seq2SeqExample>,
  "predict" | "metrics" | "examples"
> {
  examples: readonly Seq2SeqExample[];
  /**
   * Generate predictions and score them with these metrics of the @warmstart/evaluation registry, logged as
   * `eval_<score>` (default: loss only). A metric name gives all its scores (`rouge`: `rouge1` … `rougeLsum`), a
   * score name that one.
   */
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
    if (metricNames.length > 0) checkSeq2SeqMetrics(metricNames);
    const evalBatch = evaluation?.batchSize ?? options.batchSize;
    const predict = async (
      examples: readonly Seq2SeqExample[],
      at: { step: number; seed: number },
    ): Promise<string[]> => {
      const out: string[] = [];
      const generation = evaluation?.generation ?? {};
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
        // Sampling without a seed draws from one derived from the run's seed, the step and the batch: an evaluation
        // repeats exactly after a resume (transformers restores torch's generator from rng_state.pth for the same).
        const seeded =
          generation.doSample === true && generation.seed === undefined
            ? { ...generation, seed: evaluationSeed(at.seed, at.step, i / evalBatch) }
            : generation;
        const generated = await model.generate(
          { inputIds: encoded.inputIds, attentionMask: encoded.attentionMask },
          seeded,
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
                seq2seqScores(metricNames, predictions, examples),
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

/** A 32-bit seed for the sampled predictions of batch `batch` of the evaluation at `step` of a run seeded `seed`. */
export function evaluationSeed(seed: number, step: number, batch: number): number {
  // A named fork of the run's generator: independent of every other stream drawn from the same seed.
  return new SeededRandom(seed).fork(`evaluation/step ${step}/batch ${batch}`).nextUint32();
}
