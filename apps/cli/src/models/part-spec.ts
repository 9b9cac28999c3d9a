import type { HFConfigJSON, PartSpec } from "@warmstart/composer";
import { locateConfig } from "./locate.js";

/** A composition part from the command line: a checkpoint, or `rnd[:<config>]` for random initialisation. */
export interface CliPart {
  /** What goes to the composer: the checkpoint id / folder, or null for a random part. */
  spec: PartSpec;
  /** For a random part: its whole config (the paper's Rnd parts use the BERT-base architecture). */
  config: HFConfigJSON | undefined;
  /** The text the user gave. */
  label: string;
}

/** Default architecture of a `rnd` part: the paper's random parts are BERT-base compatible. */
export const DEFAULT_RANDOM_CONFIG = "bert-base-cased";

/** `rnd`, `rnd:gpt2`, `rnd:./config.json` → a random part; anything else → a checkpoint. */
export async function parsePart(text: string): Promise<CliPart> {
  const match = /^(?:rnd|random)(?::(.+))?$/i.exec(text);
  if (match === null) return { spec: text, config: undefined, label: text };
  const located = await locateConfig(match[1] ?? DEFAULT_RANDOM_CONFIG);
  return { spec: null, config: located.config, label: text };
}
