import type { EncoderOptions } from "@warmstart/encoders";
import type { HFConfigJSON, SpecialTokens } from "../encoder-decoder-config.js";
import type { DecoderModule, EncoderModule } from "../parts.js";

/** The two pre-training objectives of @warmstart/training: masked LM (BERT's) and causal LM (GPT-2's). */
export type PretrainObjective = "mlm" | "clm";

/**
 * The tokenizer a family is trained with, as `@warmstart/tokenizers`' `trainTokenizer` takes it: WordPiece (BERT),
 * or byte-level BPE with GPT-2's template (no tokens added) or RoBERTa's (`<s> … </s>`).
 */
export type FamilyTokenizer = { kind: "wordpiece" } | { kind: "bpe"; template: "gpt2" | "roberta" };

/** Options of an encoder built from a config.json (seed, dropout, pooler: the encoder classes' options). */
export type EncoderBuildOptions = EncoderOptions;

/** Options of a causal-LM decoder built from a config.json. */
export interface DecoderBuildOptions {
  seed?: number;
  /** Add (randomly initialised) cross-attention blocks, as a warm-started encoder-decoder's decoder has. */
  addCrossAttention?: boolean;
}

/** How a family builds its encoder class (Hugging Face's `AutoModel` for the family). */
export interface FamilyEncoder {
  create(json: HFConfigJSON, options: EncoderBuildOptions): EncoderModule;
  /** HF state-dict names → shapes, without allocating anything. */
  parameterShapes(json: HFConfigJSON, options: { addPoolingLayer?: boolean }): Map<string, number[]>;
}

/**
 * How a family builds its causal-LM class (Hugging Face's `AutoModelForCausalLM`). `json` is taken as given:
 * `is_decoder` / `add_cross_attention` in it decide the attention direction and the cross-attention blocks
 * (the masked LM of pre-training is this class with `is_decoder: false`).
 */
export interface FamilyDecoder {
  create(json: HFConfigJSON, options: DecoderBuildOptions): DecoderModule;
  parameterShapes(json: HFConfigJSON): Map<string, number[]>;
}

/** How `@warmstart/training`'s pre-training builds and saves this family's language model. */
export interface FamilyPretraining {
  /** The objective the family's published checkpoints were pre-trained with (what the CLI checks `--objective` against). */
  objective: PretrainObjective;
  /** The HF class name written to `architectures` per objective the LM class supports; absent = not supported. */
  architectures: Partial<Record<PretrainObjective, string>>;
}

/**
 * Everything the project knows about one architecture, keyed by its config.json `model_type`: its classes in the
 * roles it can play, its typed config reader, how its weights are named, its tokenizer and its pre-training.
 * Registered with `registerModelFamily`; composer, training, the CLI and the docs read families only from there.
 */
export interface ModelFamily {
  /** config.json's `model_type` ("bert"). */
  modelType: string;
  /** How messages name the family ("BERT", "GPT-2"). */
  displayName: string;
  /** Base-model prefix inside the family's task classes ("bert.", "roberta.", "transformer."). */
  basePrefix: string;
  /** The model width, read through the family's typed config reader (which validates the field). */
  hiddenSize(json: HFConfigJSON): number;
  /** Standard deviation of the family's normal initialiser (a projection into this family uses it). */
  initializerRange(json: HFConfigJSON): number;
  /** How many tokens one input may have (RoBERTa's position ids start after the padding index, so 2 fewer). */
  maxPositions(json: HFConfigJSON): number;
  /**
   * Token ids whose config-class default differs from PretrainedConfig's null. transformers 4.x writes sub-configs
   * as differences from the class defaults, so a RoBERTa sub-config without pad_token_id means 1: a saved
   * composition completes its sub-configs with these (null would make transformers build RoBERTa's position ids
   * without a padding index, and fail).
   */
  configClassDefaults: HFConfigJSON;
  /** config.json as the typed config writes it back: defaults filled in, unknown fields kept. */
  configToHF(json: HFConfigJSON): HFConfigJSON;
  /** The encoder class; null for a decoder-only architecture. */
  encoder: FamilyEncoder | null;
  /** The causal-LM class (decoder of a composition, and the pre-training LM); null for an encoder-only one. */
  decoder: FamilyDecoder | null;
  /**
   * Special tokens a warm-started decoder of this family takes from its checkpoint's tokenizer files when the
   * caller gives none (BERT's recipe: [CLS] / [SEP] / [PAD]). Absent: the decoder config's bos / eos / pad.
   */
  recipeTokens?(dir: string): Partial<SpecialTokens>;
  tokenizer: FamilyTokenizer;
  /** null when the family has no LM class to pre-train. */
  pretraining: FamilyPretraining | null;
  /**
   * For config-only accounting of a Hub pretraining checkpoint of this family: weights such checkpoints do not
   * hold. roberta-base is a RobertaForMaskedLM checkpoint without the pooler, which RobertaModel has.
   */
  hubCheckpointLacks(name: string): boolean;
}
