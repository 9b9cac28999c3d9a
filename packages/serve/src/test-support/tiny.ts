import {
  EncoderDecoderModel,
  type GenerateOptions,
  type GenerateOutput,
  type GenerationConfig,
  type GenerationInputs,
} from "@warmstart/composer";
import { initBackend } from "@warmstart/tensors";
import { Tokenizer } from "@warmstart/tokenizers";
import type { ServableModel } from "../server.js";

const WORDS = ["alpha", "beta", "gamma", "delta", "one", "two", "three", "red", "blue", "and", "then", "it"];

/** A fixed WordPiece vocabulary (a trained one could number tokens differently from run to run). */
export function tinyTokenizer(): Tokenizer {
  return Tokenizer.fromVocab({
    kind: "wordpiece",
    vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS],
    modelMaxLength: 32,
  });
}

/** A random-weight BERT2BERT with 16-wide layers: its outputs are arbitrary but deterministic, which is all a server test needs. */
export async function tinyModel(tokenizer: Tokenizer, seed = 3): Promise<EncoderDecoderModel> {
  await initBackend({ backend: "cpu" });
  const config = {
    model_type: "bert",
    vocab_size: tokenizer.vocabSize,
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 64,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  };
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: config,
    decoderConfig: config,
    seed,
    decoderStartTokenId: tokenizer.clsTokenId as number,
    eosTokenId: tokenizer.sepTokenId as number,
    padTokenId: tokenizer.padTokenId as number,
  });
  model.eval();
  return model;
}

/**
 * The real model behind a gate: `generate` waits until `open()`, so a test can hold a batch running while it
 * queues, cancels or refuses other requests. Counts calls and rows per call.
 */
export class GatedModel implements ServableModel {
  readonly calls: number[] = [];
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};
  readonly #model: EncoderDecoderModel;

  constructor(model: EncoderDecoderModel) {
    this.#model = model;
  }

  get config(): EncoderDecoderModel["config"] {
    return this.#model.config;
  }

  close(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  open(): void {
    this.#open();
    this.#gate = Promise.resolve();
  }

  generationConfigJSON(): Record<string, unknown> {
    return this.#model.generationConfigJSON();
  }

  warmStartReport(): ReturnType<EncoderDecoderModel["warmStartReport"]> {
    return this.#model.warmStartReport();
  }

  async generate(
    inputs: GenerationInputs,
    config?: Partial<GenerationConfig>,
    options?: GenerateOptions,
  ): Promise<GenerateOutput> {
    this.calls.push(inputs.inputIds.length);
    await this.#gate;
    return this.#model.generate(inputs, config, options);
  }
}
