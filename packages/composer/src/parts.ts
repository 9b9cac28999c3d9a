import type { KeyValueCache } from "@warmstart/decoders";
import type { LoadReport, WeightSource } from "@warmstart/encoders";
import type { Parameters, tf } from "@warmstart/tensors";

export type { LoadReport, WeightSource };

/** Token ids or masks: nested arrays `[batch][position]` or a 2-D tensor. */
export type IdInput = tf.Tensor | number[][];

interface Loadable {
  loadWeights(source: WeightSource, options?: { prefix?: string }): LoadReport;
}

/** What the composer needs from an encoder class of @warmstart/encoders. */
export interface EncoderModule extends Loadable {
  readonly parameters: Parameters;
  forward(inputs: { inputIds: IdInput; attentionMask?: IdInput; tokenTypeIds?: IdInput }): { lastHiddenState: tf.Tensor };
  train(): unknown;
  eval(): unknown;
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
  dispose(): void;
}
