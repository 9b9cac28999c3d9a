/** How much work the demo does; `quick` and `full` are presets, flags override single fields. */
export interface DemoBudget {
  name: string;
  /** Architecture presets (models/presets.ts) of the pre-trained BERT and GPT-2. */
  bertPreset: string;
  gpt2Preset: string;
  vocabSize: number;
  blockSize: number;
  /** Share of the corpus's documents that build the task (the rest is pre-training text). */
  taskShare: number;
  /** Dropout of both pre-trained models, kept by every composition built from them. */
  dropout: number;
  pretrainSteps: number;
  pretrainBatchSize: number;
  pretrainLearningRate: number;
  /** The same for every composition, as in the paper. */
  fineTuneSteps: number;
  fineTuneBatchSize: number;
  fineTuneLearningRate: number;
  /** After warm-up: linear decay to 0, or constant (a short run learns more at the full rate). */
  fineTuneDecay: "linear" | "constant";
  maxSourceLength: number;
  maxTargetLength: number;
  /** Test examples scored per composition (null: all). */
  testExamples: number | null;
  /** Seconds per step on 2 CPU cores (measured), for the up-front estimate: pre-training, fine-tuning, one test example. */
  secondsPerPretrainStep: number;
  secondsPerFineTuneStep: number;
  secondsPerTestExample: number;
}

// Seconds per unit were measured on this project's 2-core machines on the native backend (wasm, where the native
// addon did not build, is about 1.5x slower); a busy machine takes longer in wall time, and the progress bars' ETAs
// then say so. Batches are large because a step of these tiny models costs about the same at 8 or 32 rows (per-op
// overhead dominates), and learning rates are high because at the default 5e-4 the tiny models barely move in a few
// hundred steps. Dropout is off: runs this short gain nothing from it and pay for it on every step.
//
// Quick: a copying solution appears (fine-tuning loss falls from ~3 to below 1 within a few dozen steps) only
// after about 200-300 steps at the full learning rate, and a quick run cannot afford more than 250 steps per
// composition; hence the constant rate after warm-up, sentences of at most 32 words (steps ~0.3 s), and 80% of the
// documents for the task (200 pre-training steps read only a fifth of the corpus). Measured (527 s, seed 1):
// BERTShare crosses over (SARI 36.0, ROUGE-2 59.2), the others stay at SARI 9-14.
export const QUICK: DemoBudget = {
  name: "quick",
  bertPreset: "tiny-bert",
  gpt2Preset: "tiny-gpt2",
  vocabSize: 2000,
  blockSize: 32,
  dropout: 0,
  taskShare: 0.8,
  pretrainSteps: 200,
  pretrainBatchSize: 32,
  pretrainLearningRate: 2e-3,
  fineTuneSteps: 250,
  fineTuneBatchSize: 32,
  fineTuneLearningRate: 3e-3,
  fineTuneDecay: "constant",
  maxSourceLength: 40,
  maxTargetLength: 40,
  testExamples: 40,
  secondsPerPretrainStep: 0.27,
  secondsPerFineTuneStep: 0.3,
  secondsPerTestExample: 0.1,
};

// Full: longer pre-training on half the corpus, and 800 fine-tuning steps with the usual linear decay (BERTShare
// alone, 1200 such steps at sentences of up to 40 words: SARI 39.5, ROUGE-2 64.3 on 40 test examples).
export const FULL: DemoBudget = {
  ...QUICK,
  name: "full",
  blockSize: 64,
  taskShare: 0.5,
  pretrainSteps: 1500,
  fineTuneSteps: 800,
  fineTuneDecay: "linear",
  maxSourceLength: 48,
  maxTargetLength: 48,
  testExamples: null,
  secondsPerPretrainStep: 0.45,
  secondsPerFineTuneStep: 0.4,
  secondsPerTestExample: 0.12,
};

/** Fixed costs: reading the corpus and loading TensorFlow.js, and per pre-training the tokenizer and blocks. */
const STARTUP_SECONDS = 20;
const PRETRAIN_SETUP_SECONDS = 8;

/** What the run does: how many models it pre-trains (BERT, and GPT-2 when BERT2GPT2 is chosen) and fine-tunes. */
export interface DemoPlan {
  pretrainings: number;
  compositions: number;
  testExamples: number;
}

/** Expected seconds of the whole run. */
export function expectedSeconds(budget: DemoBudget, plan: DemoPlan): number {
  const tests = budget.testExamples === null ? plan.testExamples : Math.min(plan.testExamples, budget.testExamples);
  return (
    STARTUP_SECONDS +
    plan.pretrainings * (PRETRAIN_SETUP_SECONDS + budget.pretrainSteps * budget.secondsPerPretrainStep) +
    plan.compositions * (budget.fineTuneSteps * budget.secondsPerFineTuneStep + tests * budget.secondsPerTestExample)
  );
}
