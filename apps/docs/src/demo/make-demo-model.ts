// Writes the demo's composition at docs build time: a small BERTShare built from configs (no checkpoint, no
// data set: the site builds offline), briefly trained on a toy task — reverse the order of the words of a
// short sentence over a fixed word list — so that the browser has something checkable to generate. Saved in
// transformers' layout plus the demo vocabulary and settings.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EncoderDecoderModel, IGNORE_INDEX } from "@warmstart/composer";
import { tf } from "@warmstart/tensors";
import { CharTokenizer, demoVocabulary, SPECIAL } from "./char-tokenizer.js";
import type { DemoModel } from "./load-model.js";

export const DEMO_GENERATION: DemoModel["generation"] = { numBeams: 2, maxLength: 40, noRepeatNgramSize: 0 };

/** The toy task's words; sentences have 2 to 4 of them. */
export const DEMO_WORDS = "the cat sat on mat warm start model browser text red blue green house tree river".split(" ");

export function reverseWords(text: string): string {
  return text.trim().split(/\s+/).reverse().join(" ");
}

/** Park–Miller: the training data must be the same on every build. */
function sentences(seed: number): () => string {
  let state = seed;
  const next = (): number => (state = (state * 16807) % 2147483647) / 2147483647;
  return () =>
    Array.from({ length: 2 + Math.floor(next() * 3) }, () => DEMO_WORDS[Math.floor(next() * DEMO_WORDS.length)]).join(
      " ",
    );
}

export interface MakeDemoOptions {
  /** Optimiser steps on the toy task (0: leave the weights random). */
  steps?: number;
  batchSize?: number;
  seed?: number;
}

export async function makeDemoModel(dir: string, options: MakeDemoOptions = {}): Promise<{ losses: number[] }> {
  const { steps = 160, batchSize = 24, seed = 2020 } = options;
  const vocab = demoVocabulary();
  const tokenizer = new CharTokenizer(vocab);
  const bert = {
    model_type: "bert",
    vocab_size: vocab.length,
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 128,
    max_position_embeddings: 128,
    pad_token_id: vocab.indexOf(SPECIAL.pad),
    // Dropout would slow a 160-step fit down for no benefit on a toy task.
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  };
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: bert,
    decoderConfig: bert,
    tieEncoderDecoder: true, // BERTShare-style: half the bytes to download
    decoderStartTokenId: tokenizer.clsTokenId,
    eosTokenId: tokenizer.sepTokenId,
    padTokenId: tokenizer.padTokenId,
    seed,
  });
  const losses: number[] = [];
  try {
    const sample = sentences(seed);
    const optimizer = tf.train.adam(3e-3);
    model.train();
    for (let step = 0; step < steps; step++) {
      const sources = Array.from({ length: batchSize }, sample);
      const source = await tokenizer.batchEncode(sources, { padding: "longest" });
      const target = await tokenizer.batchEncode(sources.map(reverseWords), { padding: "longest" });
      // Labels drop the leading [CLS] (the model puts the start token in front itself) and ignore padding.
      const labels = target.inputIds.map((row, i) =>
        row.slice(1).map((id, j) => (target.attentionMask[i]?.[j + 1] === 1 ? id : IGNORE_INDEX)),
      );
      const loss = optimizer.minimize(
        () =>
          model.forward({ inputIds: source.inputIds, attentionMask: source.attentionMask, labels }).loss as tf.Scalar,
        true,
        model.trainableVariables(),
      );
      losses.push((await loss?.data())?.[0] ?? Number.NaN);
      loss?.dispose();
    }
    optimizer.dispose();
    model.eval();
    await model.savePretrained(dir);
  } finally {
    model.dispose();
  }
  await writeFile(join(dir, "vocab.json"), `${JSON.stringify(vocab)}\n`);
  await writeFile(join(dir, "demo.json"), `${JSON.stringify(DEMO_GENERATION)}\n`);
  return { losses };
}
