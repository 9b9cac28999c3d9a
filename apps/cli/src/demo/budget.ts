/** How much work the demo does; `quick` and `full` are presets, flags override single fields. */
export interface DemoBudget {
  name: string;
  /** The compositions run (by name, in the table's order); null: every one the checkpoints allow. */
  compositions: readonly string[] | null;
  /** The same for every composition, as in the paper. */
  fineTuneSteps: number;
  fineTuneBatchSize: number;
  fineTuneLearningRate: number;
  /** After warm-up: linear decay to 0, or constant (a short run learns more at the full rate). */
  fineTuneDecay: "linear" | "constant";
  maxSourceLength: number;
  maxTargetLength: number;
  /** Test examples scored per composition (null: every held-out example). */
  testExamples: number | null;
  /** Validation examples the loss curve is measured on, and how many points the curve has. */
  validationExamples: number;
  validationPoints: number;
  /** Bootstrap resamples of the test examples for the 95% intervals. */
  bootstrapSamples: number;
  /** Seconds on 2 CPU cores (measured, native backend): one fine-tuning step, one test example, fixed costs per composition. */
  secondsPerFineTuneStep: number;
  secondsPerTestExample: number;
  secondsPerComposition: number;
}

// Seconds per unit were measured on this project's 2-core machines on the native backend (wasm, where the native
// addon did not build, is about 1.5x slower); a busy machine takes longer in wall time, and the progress bars' ETAs
// then say so. Batches are large because a step of these small models costs about the same at 8 or 32 rows (per-op
// overhead dominates), and the learning rate is high because at the default 5e-4 they barely move in a few hundred
// steps. The checkpoints have no dropout: runs this short gain nothing from it.
//
// Quick: the four compositions the paper's central comparison needs (random, a warm-started encoder, both parts,
// shared), each with the 250 steps a copying solution needs to appear at all at the full rate (hence the constant
// rate after warm-up): four such fine-tunings and their scoring fit ten minutes, eight would not.
export const QUICK: DemoBudget = {
  name: "quick",
  compositions: ["Rnd2Rnd", "BERT2Rnd", "BERT2BERT", "BERTShare"],
  fineTuneSteps: 250,
  fineTuneBatchSize: 32,
  fineTuneLearningRate: 3e-3,
  fineTuneDecay: "constant",
  maxSourceLength: 64,
  maxTargetLength: 64,
  testExamples: null,
  validationExamples: 128,
  validationPoints: 5,
  bootstrapSamples: 1000,
  secondsPerFineTuneStep: 0.4,
  secondsPerTestExample: 0.03,
  secondsPerComposition: 6,
};

// Full: every composition the checkpoints allow, each with twice the quick budget, decaying linearly.
export const FULL: DemoBudget = {
  ...QUICK,
  name: "full",
  compositions: null,
  fineTuneSteps: 500,
  fineTuneDecay: "linear",
  validationPoints: 10,
};

/** Fixed costs: reading the corpus, loading TensorFlow.js and the checkpoints. */
const STARTUP_SECONDS = 15;

/** What the run does: how many compositions it fine-tunes and how many test examples each scores. */
export interface DemoPlan {
  compositions: number;
  testExamples: number;
}

/** Expected seconds of the whole run. */
export function expectedSeconds(budget: DemoBudget, plan: DemoPlan): number {
  const tests = budget.testExamples === null ? plan.testExamples : Math.min(plan.testExamples, budget.testExamples);
  return (
    STARTUP_SECONDS +
    plan.compositions *
      (budget.secondsPerComposition +
        budget.fineTuneSteps * budget.secondsPerFineTuneStep +
        tests * budget.secondsPerTestExample)
  );
}
