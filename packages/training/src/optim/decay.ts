/**
 * Whether weight decay applies to a parameter, by its Hugging Face state-dict name, as transformers' Trainer
 * decides it (`get_decay_parameter_names`, 4.57 and 5.x): no decay for a parameter whose lower-cased full name
 * contains "bias", "layernorm" or "rmsnorm", or has a `norm` or `*_norm` path component, nor for the
 * parameters of nn.LayerNorm modules, which the Trainer recognises by type; by name here, GPT-2's `ln_1`, `ln_2`,
 * `ln_f` and `ln_cross_attn` (BERT/RoBERTa's `LayerNorm` already matches "layernorm").
 */
export function decaysWeight(name: string): boolean {
  const lower = name.toLowerCase();
  if (NO_DECAY_PATTERNS.some((pattern) => pattern.test(lower))) return false;
  const parts = name.split(".");
  const owner = parts[parts.length - 2] ?? "";
  return !LAYER_NORM_MODULE.test(owner);
}

const NO_DECAY_PATTERNS = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];

/** Module names of the nn.LayerNorm layers in the families here that no name pattern above catches. */
const LAYER_NORM_MODULE = /^ln_/;
