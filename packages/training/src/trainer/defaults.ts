/**
 * The defaults of the trainers, each Hugging Face's `Seq2SeqTrainingArguments` default (transformers 5.x, the
 * same in 4.57) for the field named beside it; forward-hf / defaults-hf interop tests compare them to the real
 * TrainingArguments. Options a caller leaves out take these values.
 */
export const TRAINER_DEFAULTS = {
  /** learning_rate */
  learningRate: 5e-5,
  /** weight_decay (the standalone AdamW class keeps torch.optim.AdamW's 0.01) */
  weightDecay: 0,
  /** adam_beta1, adam_beta2 */
  betas: [0.9, 0.999] as [number, number],
  /** adam_epsilon */
  eps: 1e-8,
  /** max_grad_norm */
  maxGradNorm: 1,
  /** num_train_epochs (when maxSteps is not given) */
  epochs: 3,
  /** lr_scheduler_type */
  schedule: "linear" as const,
  /** warmup_steps */
  warmupSteps: 0,
  /** logging_steps (logging_strategy "steps") */
  loggingSteps: 500,
  /** save_steps (save_strategy "steps"): checkpoints every this many steps when outputDir is set */
  saveSteps: 500,
  /** seed */
  seed: 42,
  /** gradient_accumulation_steps */
  gradientAccumulationSteps: 1,
  /** label_smoothing_factor: the loss is plain cross-entropy */
  labelSmoothingFactor: 0,
  /** group_by_length (4.x) / train_sampling_strategy "random" (5.x): batches are not grouped by length */
  groupByLength: false,
} as const;
