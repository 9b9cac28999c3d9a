import { BertModel, bertConfigFromHF, bertConfigToHF } from "@warmstart/encoders";
import { BertLMHeadModel } from "@warmstart/decoders";
import { bertRecipeTokens } from "../recipe-tokens.js";
import type { ModelFamily } from "./model-family.js";

/** BERT (Devlin et al.): WordPiece, masked-LM pre-training; encoder and cross-attending decoder. */
export const bertFamily: ModelFamily = {
  modelType: "bert",
  displayName: "BERT",
  basePrefix: "bert.",
  hiddenSize: (json) => bertConfigFromHF(json).hiddenSize,
  initializerRange: (json) => bertConfigFromHF(json).initializerRange,
  maxPositions: (json) => bertConfigFromHF(json).maxPositionEmbeddings,
  configClassDefaults: { pad_token_id: 0 },
  configToHF: (json) => bertConfigToHF(bertConfigFromHF(json)),
  encoder: {
    create: (json, options) => new BertModel(bertConfigFromHF(json), options),
    parameterShapes: (json, options) => BertModel.parameterShapes(bertConfigFromHF(json), options),
  },
  decoder: {
    create: (json, options) => BertLMHeadModel.fromConfig(json, options),
    parameterShapes: (json) => BertLMHeadModel.parameterShapes(bertConfigFromHF(json)),
  },
  // BERT's config.json has no bos / eos: Hugging Face's BERT2BERT recipe takes them from the vocabulary.
  recipeTokens: bertRecipeTokens,
  tokenizer: { kind: "wordpiece" },
  // The masked LM is the LM-head class with is_decoder false: exactly HF BertForMaskedLM's weights.
  pretraining: { objective: "mlm", architectures: { mlm: "BertForMaskedLM", clm: "BertLMHeadModel" } },
  hubCheckpointLacks: () => false,
};
