// BERT's parameters under their Hugging Face state-dict names (`embeddings.*`, `encoder.layer.N.*`, `pooler.*`),
// with the distributions of `BertPreTrainedModel._init_weights`. `prefix` is "" in BertModel and "bert." /
// "roberta." in the task models that nest it.
import { layerNormSpecs, linearSpecs, type ParameterSpec } from "@warmstart/modeling";
import type { BertConfig } from "./config.js";

export function bertEmbeddingSpecs(config: BertConfig, prefix: string): Array<[string, ParameterSpec]> {
  const std = config.initializerRange;
  const h = config.hiddenSize;
  const positionPad = config.modelType === "roberta" ? config.padTokenId : null;
  return [
    [
      `${prefix}embeddings.word_embeddings.weight`,
      { shape: [config.vocabSize, h], init: { kind: "normal", std, zeroRow: config.padTokenId } },
    ],
    [
      `${prefix}embeddings.position_embeddings.weight`,
      { shape: [config.maxPositionEmbeddings, h], init: { kind: "normal", std, zeroRow: positionPad } },
    ],
    [
      `${prefix}embeddings.token_type_embeddings.weight`,
      { shape: [config.typeVocabSize, h], init: { kind: "normal", std } },
    ],
    ...layerNormSpecs(`${prefix}embeddings.LayerNorm`, h),
  ];
}

function attentionSpecs(config: BertConfig, name: string): Array<[string, ParameterSpec]> {
  const h = config.hiddenSize;
  const std = config.initializerRange;
  return [
    ...linearSpecs(`${name}.self.query`, h, h, std),
    ...linearSpecs(`${name}.self.key`, h, h, std),
    ...linearSpecs(`${name}.self.value`, h, h, std),
    ...linearSpecs(`${name}.output.dense`, h, h, std),
    ...layerNormSpecs(`${name}.output.LayerNorm`, h),
  ];
}

/** `{prefix}encoder.layer.N.*` for every layer; `crossattention.*` when `config.addCrossAttention`. */
export function bertEncoderSpecs(config: BertConfig, prefix: string): Array<[string, ParameterSpec]> {
  const specs: Array<[string, ParameterSpec]> = [];
  const std = config.initializerRange;
  for (let n = 0; n < config.numHiddenLayers; n++) {
    const layer = `${prefix}encoder.layer.${n}`;
    specs.push(...attentionSpecs(config, `${layer}.attention`));
    if (config.addCrossAttention) specs.push(...attentionSpecs(config, `${layer}.crossattention`));
    specs.push(
      ...linearSpecs(`${layer}.intermediate.dense`, config.intermediateSize, config.hiddenSize, std),
      ...linearSpecs(`${layer}.output.dense`, config.hiddenSize, config.intermediateSize, std),
      ...layerNormSpecs(`${layer}.output.LayerNorm`, config.hiddenSize),
    );
  }
  return specs;
}

export function bertPoolerSpecs(config: BertConfig, prefix: string): Array<[string, ParameterSpec]> {
  return linearSpecs(`${prefix}pooler.dense`, config.hiddenSize, config.hiddenSize, config.initializerRange);
}
