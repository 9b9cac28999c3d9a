import type { Command } from "commander";
import type { GenerationConfig } from "@warmstart/composer";
import { CliError } from "../framework/cli-error.js";
import { decimal, integer } from "../framework/option-parsers.js";

/** The generation flags shared by `generate` and `evaluate --model`. */
export interface GenerationFlags {
  numBeams?: number;
  maxLength?: number;
  maxNewTokens?: number;
  minLength?: number;
  noRepeatNgramSize?: number;
  lengthPenalty?: number;
  repetitionPenalty?: number;
  doSample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  batchSize: number;
  maxSourceLength?: number;
  tokenizer?: string;
  decoderTokenizer?: string;
}

export function addGenerationOptions(command: Command): Command {
  return command
    .option("--num-beams <n>", "beam search width (1 = greedy or sampling)", integer(1, 64))
    .option("--max-length <n>", "maximum decoder length, start token included", integer(1, 100_000))
    .option("--max-new-tokens <n>", "maximum generated tokens (wins over --max-length)", integer(1, 100_000))
    .option("--min-length <n>", "no end-of-sequence before this length", integer(0, 100_000))
    .option("--no-repeat-ngram-size <n>", "never repeat an n-gram of this size (0 = off)", integer(0, 100))
    .option("--length-penalty <x>", "beam score length exponent (>0 favours longer outputs)", decimal())
    .option(
      "--repetition-penalty <x>",
      "penalty on already generated tokens (1 = off)",
      decimal({ min: 0, exclusiveMin: true }),
    )
    .option("--do-sample", "sample instead of taking the best tokens")
    .option("--temperature <x>", "sampling temperature", decimal({ min: 0, exclusiveMin: true }))
    .option("--top-k <n>", "sample among the k most likely tokens (0 = off)", integer(0))
    .option("--top-p <x>", "nucleus sampling mass (1 = off)", decimal({ min: 0, max: 1, exclusiveMin: true }))
    .option("--seed <n>", "sampling seed", integer(0))
    .option("--batch-size <n>", "inputs per generation batch", integer(1, 4096), 8)
    .option(
      "--max-source-length <n>",
      "truncate inputs to this many tokens (default: the tokenizer's maximum)",
      integer(2, 100_000),
    )
    .option("--tokenizer <dir|id>", "encoder tokenizer (default: the model folder's)")
    .option(
      "--decoder-tokenizer <dir|id>",
      "decoder tokenizer when it differs (default: <model>/decoder_tokenizer, else the encoder's)",
    );
}

/**
 * Only the flags the user gave: the checkpoint's generation_config.json supplies the rest. Flags that contradict
 * each other are a usage error naming both, before any model is loaded.
 */
export function generationConfigOf(flags: GenerationFlags): Partial<GenerationConfig> {
  if (flags.minLength !== undefined && flags.maxLength !== undefined && flags.minLength > flags.maxLength) {
    // Both count the whole decoder sequence: end-of-sequence would be forbidden at every length generation may reach.
    throw new CliError(
      "USAGE",
      `--min-length ${flags.minLength} is more than --max-length ${flags.maxLength}: no output could end before the length limit`,
      { hint: "make --min-length at most --max-length" },
    );
  }
  const keys = [
    "numBeams",
    "maxLength",
    "maxNewTokens",
    "minLength",
    "noRepeatNgramSize",
    "lengthPenalty",
    "repetitionPenalty",
    "doSample",
    "temperature",
    "topK",
    "topP",
    "seed",
  ] as const;
  const out: Partial<Record<(typeof keys)[number], unknown>> = {};
  for (const key of keys) if (flags[key] !== undefined) out[key] = flags[key];
  return out as Partial<GenerationConfig>;
}
