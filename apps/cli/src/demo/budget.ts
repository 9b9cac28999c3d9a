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

// Seconds per unit were measured on this project's 2-core machines on the native backend (wasm, where the native
// addon did not build, is about 1.5x slower); a busy machine takes longer in wall time, and the progress bars' ETAs
// then say so. Batches are large because a step of these tiny models costs about the same at 8 or 32 rows (per-op
// overhead dominates), and learning rates are high because at the default 5e-4 the tiny models barely move in a few
// hundred steps (they cannot even memorise one batch in 150 steps; at 3e-3 they do).
export const QUICK: DemoBudget = {
  name: "quick",
  bertPreset: "tiny-bert",
  gpt2Preset: "tiny-gpt2",
  vocabSize: 2000,
  blockSize: 32,
  pretrainSteps: 250,
  pretrainBatchSize: 32,
  pretrainLearningRate: 2e-3,
  fineTuneSteps: 120,
  fineTuneBatchSize: 32,
  fineTuneLearningRate: 3e-3,
  maxSourceLength: 48,
  maxTargetLength: 48,
  testExamples: 40,
  secondsPerPretrainStep: 0.3,
  secondsPerFineTuneStep: 0.6,
  secondsPerTestExample: 0.1,
};

export const FULL: DemoBudget = {
  ...QUICK,
  name: "full",
  blockSize: 64,
  pretrainSteps: 1500,
  fineTuneSteps: 800,
  fineTuneLearningRate: 2e-3,
  maxSourceLength: 64,
  maxTargetLength: 64,
  testExamples: null,
  secondsPerPretrainStep: 0.5,
  secondsPerFineTuneStep: 0.7,
  secondsPerTestExample: 0.15,
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
