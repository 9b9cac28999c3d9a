// Builds the demo's EncoderDecoderModel from files fetched over HTTP: config.json gives the architecture
// (EncoderDecoderModel.fromConfig), model.safetensors the values, assigned to the model's variables by
// their Hugging Face names. Weights tied in the model are stored once, under the first name that owns them.
import { EncoderDecoderConfig, EncoderDecoderModel, type HFConfigJSON } from "@warmstart/composer";
import { WarmstartError } from "@warmstart/core";
import { readSafetensorsBytes, tf } from "@warmstart/tensors";
import { CharTokenizer } from "./char-tokenizer.js";

export type FetchBytes = (file: string) => Promise<ArrayBuffer>;

export class DemoLoadError extends WarmstartError<"MISSING_WEIGHT" | "SHAPE_MISMATCH" | "FETCH_FAILED"> {
  override readonly name = "DemoLoadError";
}

export interface DemoModel {
  model: EncoderDecoderModel;
  tokenizer: CharTokenizer;
  /** The generation settings saved beside the model. */
  generation: { numBeams: number; maxLength: number; noRepeatNgramSize: number };
}

const json = async <T>(fetchBytes: FetchBytes, file: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await fetchBytes(file))) as T;

export async function loadDemoModel(fetchBytes: FetchBytes): Promise<DemoModel> {
  const config = EncoderDecoderConfig.fromJSON(await json<HFConfigJSON>(fetchBytes, "config.json"), "config.json");
  const vocab = await json<string[]>(fetchBytes, "vocab.json");
  const generation = await json<DemoModel["generation"]>(fetchBytes, "demo.json");
  const weights = readSafetensorsBytes(new Uint8Array(await fetchBytes("model.safetensors")), "model.safetensors");
  const model = EncoderDecoderModel.fromConfig(config);
  const assigned = new Set<tf.Variable>();
  for (const [name, variable] of model.namedParameters()) {
    if (!weights.has(name)) {
      if (assigned.has(variable)) continue; // a tied alias of a tensor already read
      model.dispose();
      throw new DemoLoadError(
        "MISSING_WEIGHT",
        `model.safetensors has no ${name} (shape [${variable.shape.join(", ")}])`,
      );
    }
    const { shape } = weights.info(name);
    if (shape.join() !== variable.shape.join()) {
      model.dispose();
      throw new DemoLoadError(
        "SHAPE_MISMATCH",
        `model.safetensors: ${name} is [${shape.join(", ")}], the model expects [${variable.shape.join(", ")}]`,
      );
    }
    tf.tidy(() => variable.assign(weights.tensor(name)));
    assigned.add(variable);
  }
  model.eval();
  return { model, tokenizer: new CharTokenizer(vocab), generation };
}
