import { join } from "node:path";
import { SeededRandom } from "@warmstart/core";
import { Parameters, tf, writeSafetensors } from "@warmstart/tensors";

/**
 * A tiny sequence-to-sequence model for trainer tests: the decoder predicts each target token from the mean
 * of the source embeddings plus the embedding of the previous target token. Small enough for hundreds of
 * steps per second, with real gradients through `Parameters`, a bias and a LayerNorm-named weight.
 */
export class ToyModel {
  readonly parameters = new Parameters();
  readonly vocabSize: number;
  readonly hidden: number;

  constructor(options: { vocabSize: number; hidden: number; seed: number }) {
    this.vocabSize = options.vocabSize;
    this.hidden = options.hidden;
    const rng = new SeededRandom(options.seed);
    const init = (shape: number[]): tf.Tensor => {
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(
        Float32Array.from({ length: size }, () => (rng.float() - 0.5) * 0.2),
        shape,
      );
    };
    const add = (name: string, t: tf.Tensor): void => {
      this.parameters.add(name, t);
      t.dispose();
    };
    add("encoder.embeddings.word_embeddings.weight", init([options.vocabSize, options.hidden]));
    add("decoder.embeddings.word_embeddings.weight", init([options.vocabSize, options.hidden]));
    add("decoder.LayerNorm.weight", tf.ones([options.hidden]));
    add("decoder.lm_head.weight", init([options.hidden, options.vocabSize]));
    add("decoder.lm_head.bias", tf.zeros([options.vocabSize]));
  }

  forward(inputs: { inputIds: number[][]; attentionMask: number[][]; labels: number[][] }): { loss: tf.Scalar } {
    const p = (name: string): tf.Variable => this.parameters.get(name);
    return tf.tidy(() => {
      const batch = inputs.inputIds.length;
      const srcLen = inputs.inputIds[0]?.length ?? 0;
      const tgtLen = inputs.labels[0]?.length ?? 0;
      const v = this.vocabSize;
      const src = tf.cast(tf.oneHot(tf.tensor1d(inputs.inputIds.flat(), "int32"), v), "float32");
      const srcEmb = tf.reshape(tf.matMul(src, p("encoder.embeddings.word_embeddings.weight")), [
        batch,
        srcLen,
        this.hidden,
      ]);
      const mask = tf.tensor3d(inputs.attentionMask.flat(), [batch, srcLen, 1]);
      const pooled = tf.div(tf.sum(tf.mul(srcEmb, mask), 1), tf.sum(mask, 1)); // [batch, hidden]
      const previous = inputs.labels.map((row) => [0, ...row.slice(0, -1)].map((id) => (id < 0 ? 0 : id)));
      const dec = tf.cast(tf.oneHot(tf.tensor1d(previous.flat(), "int32"), v), "float32");
      const decEmb = tf.reshape(tf.matMul(dec, p("decoder.embeddings.word_embeddings.weight")), [
        batch,
        tgtLen,
        this.hidden,
      ]);
      const h = tf.mul(tf.tanh(tf.add(decEmb, tf.expandDims(pooled, 1))), p("decoder.LayerNorm.weight"));
      const logits = tf.add(
        tf.matMul(tf.reshape(h, [batch * tgtLen, this.hidden]), p("decoder.lm_head.weight")),
        p("decoder.lm_head.bias"),
      );
      const flat = inputs.labels.flat();
      const weights = tf.tensor1d(flat.map((id) => (id < 0 ? 0 : 1)));
      const target = tf.cast(
        tf.oneHot(
          tf.tensor1d(
            flat.map((id) => Math.max(id, 0)),
            "int32",
          ),
          v,
        ),
        "float32",
      );
      const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), target), 1));
      return { loss: tf.div(tf.sum(tf.mul(nll, weights)), tf.sum(weights)) as tf.Scalar };
    });
  }

  namedParameters(): Map<string, tf.Variable> {
    return new Map(this.parameters.entries());
  }

  async savePretrained(dir: string): Promise<void> {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, variable] of this.parameters.entries()) tensors.set(name, variable);
    await writeSafetensors(join(dir, "model.safetensors"), tensors);
  }

  dispose(): void {
    this.parameters.dispose();
  }
}
