/**
 * Whether weight decay applies to a parameter, by its Hugging Face state-dict name. Follows the rule of the
 * HF example scripts (`no_decay = ["bias", "LayerNorm.weight"]`) widened to the other norm spellings used by
 * the families here: BERT/RoBERTa `LayerNorm`, BART-style `layer_norm` / `layernorm_embedding`, GPT-2 `ln_1`,
 * `ln_2`, `ln_f`, `ln_cross_attn`.
 */
export function decaysWeight(name: string): boolean {
  if (name.endsWith("bias")) return false;
  if (name.includes("LayerNorm.weight") || name.includes("layer_norm.weight")) return false;
  if (name.includes("layernorm") && name.endsWith("weight")) return false;
  const parts = name.split(".");
  const owner = parts[parts.length - 2] ?? "";
  if (owner.startsWith("ln_") && name.endsWith("weight")) return false;
  return true;
}
