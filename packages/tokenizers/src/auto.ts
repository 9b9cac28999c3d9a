import { loadPretrainedTokenizer, type FromPretrainedOptions } from "./pretrained.js";
import type { Tokenizer } from "./tokenizer.js";

/** transformers' entry point: picks the tokenizer from whatever files the checkpoint has. */
export const AutoTokenizer = {
  fromPretrained(idOrPath: string, options: FromPretrainedOptions = {}): Promise<Tokenizer> {
    return loadPretrainedTokenizer(idOrPath, options);
  },
};
