// The Getting started example: warm-start BERT2BERT, fine-tune a few steps, generate.
import { EncoderDecoderModel, generateText } from "@warmstart/composer";
import { initBackend, tf } from "@warmstart/tensors";
import { AutoTokenizer, prepareSeq2SeqBatch } from "@warmstart/tokenizers";

export interface QuickstartResult {
  losses: number[];
  outputs: string[];
  backend: string;
}

export async function quickstart(
  checkpoint: string,
  sources: string[],
  targets: string[],
  steps = 30,
): Promise<QuickstartResult> {
  // #region quickstart
  const { backend } = await initBackend(); // tfjs-node-gpu → tfjs-node → wasm → cpu
  const tokenizer = await AutoTokenizer.fromPretrained(checkpoint); // e.g. "bert-base-uncased"
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(checkpoint, checkpoint, {
    decoderStartTokenId: tokenizer.clsTokenId, // BERT2BERT recipe: [CLS] starts, [SEP] ends
    eosTokenId: tokenizer.sepTokenId,
    padTokenId: tokenizer.padTokenId,
  });

  // labels = target ids with -100 on padding; the model shifts them into decoder inputs itself
  const batch = await prepareSeq2SeqBatch(sources, targets, {
    sourceTokenizer: tokenizer,
    maxSourceLength: 48,
    maxTargetLength: 16,
    padding: "longest",
  });
  const optimizer = tf.train.adam(1e-3);
  const losses: number[] = [];
  model.train(); // dropout on
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () =>
        model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask, labels: batch.labels })
          .loss as tf.Scalar,
      true,
      model.trainableVariables(),
    );
    losses.push((await loss?.data())?.[0] ?? Number.NaN);
    loss?.dispose();
  }
  model.eval(); // dropout off
  const outputs = await generateText(model, sources, { tokenizer, numBeams: 2, maxLength: 16 });
  // #endregion quickstart
  optimizer.dispose();
  model.dispose();
  return { losses, outputs, backend };
}
