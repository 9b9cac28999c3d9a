import { readFileSync } from "node:fs";
import { sharedPath } from "@warmstart/test-utils";

/** Skip reason shared by every test that reads ../shared/fixtures/parity. */
export const PARITY = "fixtures/parity";

export function parityDir(name: string): string {
  const dir = sharedPath(PARITY, name);
  if (dir === undefined) throw new Error(`../shared/${PARITY}/${name} is missing`);
  return dir;
}

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

export interface Goldens {
  param_counts: {
    total: number;
    leveraged: number;
    random: number;
    stored_in_encoder_names: number;
    stored_in_decoder_names: number;
    shared_encoder_decoder: number;
  };
  randomly_initialised: { encoder: string[]; decoder: string[] };
  tied_weights_not_stored: { name: string; same_tensor_as: string }[];
  shared_weights_not_stored: { name: string; same_tensor_as: string }[];
  special_tokens: { decoder_start_token_id: number; eos_token_id: number; pad_token_id: number };
  inputs: { input_ids: number[][]; attention_mask: number[][] };
  encoder_last_hidden_state: GoldenTensor;
  logits: { decoder_input_ids: number[][]; decoder_attention_mask: number[][] | null; logits: GoldenTensor };
  loss: { labels: number[][]; loss: number; logits: GoldenTensor };
  greedy: Record<string, unknown> & { ids: number[][] };
  beam_search: Record<string, unknown> & { ids: number[][]; sequence_scores: number[] };
}

const cache = new Map<string, Goldens>();

export function goldens(name: "bert2bert" | "robertashare"): Goldens {
  let g = cache.get(name);
  if (g === undefined) {
    g = JSON.parse(readFileSync(`${parityDir(name)}/goldens.json`, "utf8")) as Goldens;
    cache.set(name, g);
  }
  return g;
}
