// One generation call for the demo, shared by the page (browser) and the Node reference the tests compare it with,
// so that the two run exactly the same search: greedy, the source truncated and the output bounded as
// provenance.json says, tokens decoded without special tokens.
import {
  generateTextWithOutput,
  type GenerationConfig,
  type TextGenerator,
  type TextTokenizer,
} from "@warmstart/composer";
import type { DemoProvenance } from "./provenance.js";

export interface DemoTokenizers {
  source: TextTokenizer;
  target: TextTokenizer;
}

export interface DemoOutput {
  text: string;
  /** The generated sequence, decoder start token first. */
  ids: number[];
}

/**
 * Generates for one input. `stored` is the model's generation_config.json as settings: a model loaded with
 * `fromPretrained` applies its own, one built with `fromConfig` (the page) is given them here.
 */
export async function generateDemoOutput(
  model: TextGenerator,
  tokenizers: DemoTokenizers,
  text: string,
  generation: DemoProvenance["generation"],
  stored: Partial<GenerationConfig> = {},
): Promise<DemoOutput> {
  const { texts, output } = await generateTextWithOutput(model, [text], {
    ...stored,
    numBeams: 1,
    doSample: false,
    maxLength: generation.maxLength,
    maxInputLength: generation.maxInputLength,
    sourceTokenizer: tokenizers.source,
    targetTokenizer: tokenizers.target,
  });
  return { text: texts[0] ?? "", ids: output?.sequences[0] ?? [] };
}
