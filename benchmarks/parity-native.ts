// Check (not a unit test: it lives here because tensors-native cannot depend on the model packages, which depend
// on it through @warmstart/tensors): the parity fixtures of encoders, decoders and composer on the native backend.
//
//   pnpm turbo run build --filter @warmstart/composer... --filter @warmstart/tensors-native
//   node --import tsx benchmarks/parity-native.ts
//
// Prints one JSON line per case with the worst absolute difference (fixtures/parity/README.md: 1e-4) and
// exits 1 if any case is outside it. Models come from the packages' built dist folders, so they share one tfjs instance.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AutoDecoder, AutoEncoder, EncoderDecoderModel } from "@warmstart/composer";
import { initBackend, tf } from "@warmstart/tensors";

const PARITY =
  process.env.WARMSTART_PARITY_DIR ?? join(import.meta.dirname, "..", "..", "shared", "fixtures", "parity");
const TOL = 1e-4;

interface Golden {
  shape: number[];
  data: number[];
}

function maxAbs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)) || 0);
  }
  return worst;
}

const results: { case: string; maxAbsDiff: number; ok: boolean }[] = [];
function record(name: string, diff: number): void {
  const row = { case: name, maxAbsDiff: diff, ok: diff <= TOL };
  results.push(row);
  console.log(JSON.stringify(row));
}

// Through initBackend, as a user gets it: registering the backend by hand would leave the ops on their unfused
// paths (they look the fused native kernels up through the package initBackend imported).
await initBackend({ backend: "native" });

const encoders = JSON.parse(readFileSync(join(PARITY, "encoders.json"), "utf8")) as Record<
  string,
  {
    checkpoint: string;
    input_ids: number[][];
    attention_mask: number[][];
    token_type_ids?: number[][];
    last_hidden_state: Golden;
    pooler_output?: Golden;
  }
>;
for (const name of ["bert", "roberta"]) {
  const g = encoders[name];
  if (g === undefined) continue;
  const model = await AutoEncoder.fromPretrained(join(PARITY, g.checkpoint));
  const out = model.forward({ inputIds: g.input_ids, attentionMask: g.attention_mask, tokenTypeIds: g.token_type_ids });
  record(`encoders/${name} last_hidden_state`, maxAbs(out.lastHiddenState.dataSync(), g.last_hidden_state.data));
  if (g.pooler_output !== undefined && out.poolerOutput !== undefined) {
    record(`encoders/${name} pooler_output`, maxAbs(out.poolerOutput.dataSync(), g.pooler_output.data));
  }
  tf.dispose([out.lastHiddenState, out.poolerOutput as tf.Tensor]);
  model.dispose();
}

const decoders = JSON.parse(readFileSync(join(PARITY, "decoders.json"), "utf8")) as Record<
  string,
  {
    checkpoint: string;
    config_overrides: Record<string, unknown>;
    input_ids: number[][];
    attention_mask: number[][];
    logits: Golden;
  }
>;
for (const name of ["gpt2", "bert_causal_lm", "roberta_causal_lm"]) {
  const g = decoders[name];
  if (g === undefined) continue;
  const model = await AutoDecoder.fromPretrained(join(PARITY, g.checkpoint), { configOverrides: g.config_overrides });
  const { logits } = model.forward({ inputIds: g.input_ids, attentionMask: g.attention_mask });
  record(`decoders/${name} logits`, maxAbs(logits.dataSync(), g.logits.data));
  logits.dispose();
  model.dispose();
}

for (const name of ["bert2bert", "robertashare"]) {
  const g = JSON.parse(readFileSync(join(PARITY, name, "goldens.json"), "utf8")) as {
    inputs: { input_ids: number[][]; attention_mask: number[][] };
    logits: { decoder_input_ids: number[][]; logits: Golden };
    loss: { labels: number[][]; logits: Golden; loss: number };
  };
  const model = await EncoderDecoderModel.fromPretrained(join(PARITY, name));
  const { logits } = model.forward({
    inputIds: g.inputs.input_ids,
    attentionMask: g.inputs.attention_mask,
    decoderInputIds: g.logits.decoder_input_ids,
  });
  record(`composer/${name} logits`, maxAbs(logits.dataSync(), g.logits.logits.data));
  logits.dispose();
  const out = model.forward({
    inputIds: g.inputs.input_ids,
    attentionMask: g.inputs.attention_mask,
    labels: g.loss.labels,
  });
  record(`composer/${name} loss`, Math.abs((out.loss?.dataSync()[0] as number) - g.loss.loss));
  tf.dispose([out.logits, out.loss as tf.Tensor]);
  model.dispose();
}

console.log(
  JSON.stringify({ backend: tf.getBackend(), cases: results.length, allWithin1e4: results.every((r) => r.ok) }),
);
process.exit(results.every((r) => r.ok) ? 0 : 1);
