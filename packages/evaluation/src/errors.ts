import { WarmstartError } from "@warmstart/core";

/** What went wrong, as a stable string that callers can branch on. */
export type EvaluationErrorCode =
  /** An argument has the wrong type (not an array, or an element that is not a string). */
  | "INVALID_ARGUMENT"
  /** Parallel arrays (predictions, references, sources) differ in length. */
  | "LENGTH_MISMATCH"
  /** A corpus-level score was asked of zero examples: a mean of nothing is undefined. */
  | "EMPTY_INPUT"
  /** An example has no reference (an empty list). An empty string is a reference (of no tokens). */
  | "EMPTY_REFERENCE"
  /** A ROUGE type that rouge_score rejects, e.g. `rouge0`, `rouge10`, `rougen`. */
  | "UNKNOWN_ROUGE_TYPE"
  /** An option outside its domain (unknown tokenizer or smoothing method, bad number). */
  | "INVALID_OPTION"
  /** `createMetric` or the metric registry (`computeMetrics`, `getMetric`) was given a name it does not know. */
  | "UNKNOWN_METRIC"
  /** `registerMetric` was given a metric or score name that is already registered. */
  | "DUPLICATE_METRIC"
  /** A registered metric's `compute` returned a score that is not a finite number. */
  | "INVALID_METRIC_RESULT"
  /** An example too long for a quadratic-time score (ROUGE-L, ROUGE-Lsum): see `MAX_LCS_CELLS`. */
  | "INPUT_TOO_LONG";

export interface EvaluationErrorDetails {
  /** The argument or option concerned, e.g. `references` or `options.tokenize`. */
  argument: string;
  /** The example index concerned, when the problem is in one element. */
  index?: number;
}

export class EvaluationError extends WarmstartError<EvaluationErrorCode> {
  override readonly name = "EvaluationError";
  readonly argument: string;
  readonly index: number | undefined;

  constructor(code: EvaluationErrorCode, message: string, details: EvaluationErrorDetails) {
    super(code, message);
    this.argument = details.argument;
    this.index = details.index;
  }
}
