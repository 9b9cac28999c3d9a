/** How much work the demo does; `quick` and `full` are presets, flags override single fields. */
export interface DemoBudget {
  name: string;
  /** Architecture presets (models/presets.ts) of the pre-trained BERT and GPT-2. */
  bertPreset: string;
  gpt2Preset: string;
  vocabSize: number;
  blockSize: number;
  pretrainSteps: number;
  pretrainBatchSize: number;
  pretrainLearningRate: number;
  /** The same for every composition, as in the paper. */
  fineTuneSteps: number;
  fineTuneBatchSize: number;
  fineTuneLearningRate: number;
  maxSourceLength: number;
  maxTargetLength: number;
  /** Test examples scored per composition (null: all). */
  testExamples: number | null;
  /** Seconds per step on 2 CPU cores (measured), for the up-front estimate: pre-training, fine-tuning, one test example. */
  secondsPerPretrainStep: number;
  secondsPerFineTuneStep: number;
  secondsPerTestExample: number;
}

// Seconds per unit are CPU seconds measured on this project's 2-core machines (the wasm backend uses one core;
// a whole quick run measured 437 s of CPU);
// a busy machine takes longer in wall time, and the progress bars' ETAs then say so.
export const QUICK: DemoBudget = {
  name: "quick",
  bertPreset: "tiny-bert",
  gpt2Preset: "tiny-gpt2",
  vocabSize: 2000,
  blockSize: 32,
  pretrainSteps: 300,
  pretrainBatchSize: 16,
  pretrainLearningRate: 1e-3,
  fineTuneSteps: 150,
  fineTuneBatchSize: 8,
  fineTuneLearningRate: 1e-3,
  maxSourceLength: 64,
  maxTargetLength: 64,
  testExamples: 40,
  secondsPerPretrainStep: 0.36,
  secondsPerFineTuneStep: 0.3,
  secondsPerTestExample: 0.3,
};

export const FULL: DemoBudget = {
  ...QUICK,
  name: "full",
  blockSize: 64,
  pretrainSteps: 1000,
  pretrainLearningRate: 5e-4,
  fineTuneSteps: 600,
  fineTuneBatchSize: 16,
  fineTuneLearningRate: 5e-4,
  testExamples: null,
  secondsPerPretrainStep: 0.7,
  secondsPerFineTuneStep: 0.6,
  secondsPerTestExample: 0.3,
};

/** Number of compositions the demo fine-tunes. */
export const DEMO_COMPOSITIONS = 5;

/** Fixed costs: reading the corpus and loading TensorFlow.js, and per pre-training the tokenizer and blocks. */
const STARTUP_SECONDS = 20;
const PRETRAIN_SETUP_SECONDS = 8;

/** Expected seconds of the whole run (2 pre-trainings, 5 fine-tunings, 5 evaluations). */
export function expectedSeconds(budget: DemoBudget, testCount: number): number {
  const tests = budget.testExamples === null ? testCount : Math.min(testCount, budget.testExamples);
  return (
    STARTUP_SECONDS +
    2 * (PRETRAIN_SETUP_SECONDS + budget.pretrainSteps * budget.secondsPerPretrainStep) +
    DEMO_COMPOSITIONS * (budget.fineTuneSteps * budget.secondsPerFineTuneStep + tests * budget.secondsPerTestExample)
  );
}
