import type { DropoutState, KeyValueCache, LoadReport, WeightSource } from "@warmstart/modeling";
import type { Parameters, tf } from "@warmstart/tensors";

export type { DropoutState, LoadReport, WeightSource };

/** Token ids or masks: nested arrays `[batch][position]` or a 2-D tensor. */
export type IdInput = tf.Tensor | number[][];

interface Loadable {
  loadWeights(source: WeightSource, options?: { prefix?: string }): LoadReport;
}

/** What the composer needs from an encoder class of @warmstart/encoders. */
export interface EncoderModule extends Loadable {
  readonly parameters: Parameters;
  forward(inputs: { inputIds: IdInput; attentionMask?: IdInput; tokenTypeIds?: IdInput }): {
    lastHiddenState: tf.Tensor;
    /** The pooled first token, when the class has a pooler (not used by compositions; AutoEncoder returns it). */
    poolerOutput?: tf.Tensor;
  };
  train(): unknown;
  eval(): unknown;
  /** The dropout stream's position, saved in trainer checkpoints so a resume draws the same masks. */
  getDropoutState(): DropoutState;
  setDropoutState(state: DropoutState): void;
  dispose(): void;
}

/** What the composer needs from a causal-LM class of @warmstart/decoders (built with cross-attention). */
export interface DecoderModule extends Loadable {
  readonly parameters: Parameters;
  forward(inputs: {
    inputIds: IdInput;
    attentionMask?: IdInput;
    encoderHiddenStates?: tf.Tensor;
    encoderAttentionMask?: IdInput;
    pastKeyValues?: KeyValueCache;
    useCache?: boolean;
  }): { logits: tf.Tensor; pastKeyValues?: KeyValueCache };
  /** Checkpoint names saved as copies of a parameter (name → parameter name), e.g. an untied LM head's bias. */
  savedCopies?(): Record<string, string>;
  train(): unknown;
  eval(): unknown;
  /** The dropout stream's position, saved in trainer checkpoints so a resume draws the same masks. */
  getDropoutState(): DropoutState;
  setDropoutState(state: DropoutState): void;
  dispose(): void;
}
