// Preloaded into a CLI child process (`NODE_OPTIONS=--import …`, see inspect-stub-family.test.ts): registers a model family that
// only this module knows, as a contributor's plugin would, so a test can show the CLI finding it through
// @warmstart/composer's registry with no edit to the CLI. The toy is BERT's encoder under another model_type,
// without pooler: its shapes differ from bert's, so a count that matches can only come from this family.
import { registerModelFamily, type HFConfigJSON } from "@warmstart/composer";
import { BertModel, bertConfigFromHF } from "@warmstart/encoders";

const asBert = (json: HFConfigJSON) => bertConfigFromHF({ ...json, model_type: "bert" });

registerModelFamily({
  modelType: "toy",
  displayName: "Toy",
  basePrefix: "bert.",
  hiddenSize: (json) => asBert(json).hiddenSize,
  initializerRange: (json) => asBert(json).initializerRange,
  maxPositions: (json) => asBert(json).maxPositionEmbeddings,
  configClassDefaults: {},
  configToHF: (json) => ({ ...json, model_type: "toy" }),
  encoder: {
    create: (json, options) => new BertModel(asBert(json), { ...options, addPoolingLayer: false }),
    parameterShapes: (json) => BertModel.parameterShapes(asBert(json), { addPoolingLayer: false }),
  },
  decoder: null,
  tokenizer: { kind: "wordpiece" },
  pretraining: null,
  hubCheckpointLacks: () => false,
});
