import type { HFConfigJSON } from "@warmstart/composer";
import { CliError } from "../framework/cli-error.js";
import { isShippedName, locateConfig } from "./locate.js";

/** A BERT config.json of the given size (BERT-base's other settings). */
function bert(hidden: number, layers: number, heads: number): HFConfigJSON {
  return {
    model_type: "bert",
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    intermediate_size: 4 * hidden,
    hidden_act: "gelu",
    max_position_embeddings: 128,
    type_vocab_size: 2,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
  };
}

/** A GPT-2 config.json of the given size (GPT-2 small's other settings). */
function gpt2(hidden: number, layers: number, heads: number): HFConfigJSON {
  return {
    model_type: "gpt2",
    n_embd: hidden,
    n_layer: layers,
    n_head: heads,
    n_positions: 128,
    activation_function: "gelu_new",
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
  };
}

/**
 * Small architectures for pre-training on a laptop (the demo's "tiny" BERT and GPT-2), 128 positions. vocab_size
 * and the special token ids are filled in from the tokenizer by pre-training.
 */
export const PRESETS: Readonly<Record<string, HFConfigJSON>> = {
  "tiny-bert": bert(64, 2, 2),
  "tiny-gpt2": gpt2(64, 2, 2),
  "small-bert": bert(128, 4, 4),
  "small-gpt2": gpt2(128, 4, 4),
};

/** A preset name, a shipped base config (bert-base-cased, gpt2, …), or a config.json path. */
export async function resolveConfigArgument(text: string): Promise<HFConfigJSON> {
  const preset = PRESETS[text];
  if (preset !== undefined) return { ...preset };
  if ((await isShippedName(text)) || text.endsWith(".json")) return (await locateConfig(text)).config;
  throw new CliError("USAGE", `--config "${text}" is neither a preset nor a .json file`, {
    hint: `use one of ${Object.keys(PRESETS).join(", ")}, a shipped config (bert-base-cased, gpt2, …) or a path to config.json`,
  });
}
