import { gelu, geluNew, tf } from "@warmstart/tensors";
import { ModelConfigError } from "./errors.js";

/** Activation names as Hugging Face's `ACT2FN` spells them, mapped to their exact definitions. */
const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  gelu: (x) => gelu(x), // erf form, as BERT uses
  gelu_new: (x) => geluNew(x), // tanh approximation, as GPT-2 uses
  gelu_pytorch_tanh: (x) => geluNew(x), // the same formula computed by PyTorch's tanh-approximate gelu
  relu: (x) => tf.relu(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  tanh: (x) => tf.tanh(x),
};

export function isKnownActivation(name: string): boolean {
  return Object.hasOwn(ACTIVATIONS, name);
}

/** The activation named by a config field, or a ModelConfigError naming the field and the unknown value. */
export function activation(name: string, field: string): (x: tf.Tensor) => tf.Tensor {
  if (!isKnownActivation(name)) {
    throw new ModelConfigError(
      "UNKNOWN_ACTIVATION",
      field,
      `unknown activation "${name}" in config field "${field}"; known: ${Object.keys(ACTIVATIONS).join(", ")}`,
    );
  }
  return ACTIVATIONS[name] as (x: tf.Tensor) => tf.Tensor;
}
