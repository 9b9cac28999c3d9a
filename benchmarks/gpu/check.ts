// Device check (not a test): what initBackend reports on a GPU machine, encoder parity on the webgpu backend, and
// BERT-base encoder forward / BERT2BERT-base beam search speed there. Bundled with its dependencies by
// benchmarks/gpu/pack.sh and run by the run.sh it writes, beside a PyTorch CUDA baseline (gpu_baseline.py).
//
//   node check.mjs <parity fixtures folder> <result.json>
//
// Exits 1 when the webgpu backend cannot start; the result file then says why and marks every later step skipped.
// A dry run of the steps on a CPU backend, with short inputs: WARMSTART_GPU_CHECK_DRY=wasm (the backend's name).
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { AutoEncoder, EncoderDecoderModel } from "@warmstart/composer";
import { exactLengthBeamSettings, randomBert2BertBase } from "../bert2bert-base.js";
import { generationConfigFromHF } from "@warmstart/composer/generation";
import { BertModel, bertConfigFromHF } from "@warmstart/encoders";
import { initBackend, tf, type BackendName } from "@warmstart/tensors";

const [parityDir, resultPath] = process.argv.slice(2);
if (parityDir === undefined || resultPath === undefined) {
  throw new Error("usage: check.mjs <parity folder> <result.json>");
}

const DRY_RUN_BACKEND = process.env.WARMSTART_GPU_CHECK_DRY as BackendName | undefined;
const BACKEND: BackendName = DRY_RUN_BACKEND ?? "webgpu";
const BATCH = 8;
const SEQS = DRY_RUN_BACKEND === undefined ? [128, 512] : [16];
const TIMED_FORWARDS = 3;
const BEAMS = 4;
const SOURCE_LENGTH = DRY_RUN_BACKEND === undefined ? 512 : 16;
const NEW_TOKENS = 4;

interface GoldenEncoder {
  checkpoint: string;
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  last_hidden_state: { data: number[] };
  pooler_output?: { data: number[] };
}

const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  backend: BACKEND,
  loadavgBefore: loadavg(),
};
const save = () => writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);

async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  try {
    result[name] = { ok: true, ...((await run()) as object), seconds: (performance.now() - start) / 1000 };
  } catch (error) {
    result[name] = {
      ok: false,
      error: (error as Error).stack ?? String(error),
      seconds: (performance.now() - start) / 1000,
    };
  }
  console.error(`${name}: ${JSON.stringify(result[name]).slice(0, 400)}`);
  save();
}

function maxAbsDiff(actual: ArrayLike<number>, expected: readonly number[]): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length}, expected ${expected.length}`);
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    max = Math.max(max, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  return max;
}

function randomIds(batch: number, seq: number, seed: number): number[][] {
  let state = seed;
  return Array.from({ length: batch }, () =>
    Array.from({ length: seq }, () => 1000 + ((state = (state * 1103515245 + 12345) % 2 ** 31) % 29000)),
  );
}

async function parity(): Promise<object> {
  const goldens = JSON.parse(readFileSync(join(parityDir as string, "encoders.json"), "utf8")) as Record<
    string,
    GoldenEncoder
  >;
  const out: Record<string, number> = {};
  for (const name of ["bert", "roberta"]) {
    const golden = goldens[name] as GoldenEncoder;
    const model = await AutoEncoder.fromPretrained(join(parityDir as string, golden.checkpoint));
    const forward = model.forward({
      inputIds: golden.input_ids,
      attentionMask: golden.attention_mask,
      tokenTypeIds: golden.token_type_ids,
    });
    out[`${name} last_hidden_state`] = maxAbsDiff(await forward.lastHiddenState.data(), golden.last_hidden_state.data);
    if (golden.pooler_output !== undefined && forward.poolerOutput !== undefined) {
      out[`${name} pooler_output`] = maxAbsDiff(await forward.poolerOutput.data(), golden.pooler_output.data);
    }
    tf.dispose([forward.lastHiddenState, forward.poolerOutput as tf.Tensor]);
    model.dispose();
  }
  return { maxAbsDiff: out, tolerance: 1e-4, withinTolerance: Object.values(out).every((d) => d <= 1e-4) };
}

interface ComposedGoldens {
  inputs: { input_ids: number[][]; attention_mask: number[][] };
  logits: { decoder_input_ids: number[][]; logits: { data: number[] } };
  loss: { labels: number[][]; loss: number };
  [generation: string]: unknown;
}

/** The composed fixtures on this backend: logits and loss within 1e-4, generation ids equal to the goldens'. */
async function composedParity(): Promise<object> {
  const logitDiffs: Record<string, number> = {};
  const lossDiffs: Record<string, number> = {};
  const idsEqual: Record<string, boolean> = {};
  for (const name of ["bert2bert", "robertashare"]) {
    const dir = join(parityDir as string, name);
    const goldens = JSON.parse(readFileSync(join(dir, "goldens.json"), "utf8")) as ComposedGoldens;
    const model = await EncoderDecoderModel.fromPretrained(dir);
    try {
      const { input_ids: inputIds, attention_mask: attentionMask } = goldens.inputs;
      const { logits } = model.forward({ inputIds, attentionMask, decoderInputIds: goldens.logits.decoder_input_ids });
      logitDiffs[name] = maxAbsDiff(await logits.data(), goldens.logits.logits.data);
      logits.dispose();
      const out = model.forward({ inputIds, attentionMask, labels: goldens.loss.labels });
      lossDiffs[name] = Math.abs(((await out.loss!.data())[0] as number) - goldens.loss.loss);
      tf.dispose([out.logits, out.loss as tf.Tensor]);
      for (const search of ["greedy", "beam_search", "beam_search_semantics_probe"]) {
        const golden = goldens[search] as {
          inputs?: string;
          input_ids?: number[][];
          attention_mask?: number[][];
          ids: number[][];
        };
        const batch =
          golden.inputs === "inputs"
            ? { inputIds, attentionMask }
            : { inputIds: golden.input_ids as number[][], attentionMask: golden.attention_mask as number[][] };
        const generated = await model.generate(batch, generationConfigFromHF(golden as never, `${name} ${search}`));
        idsEqual[`${name} ${search}`] = JSON.stringify(generated.sequences) === JSON.stringify(golden.ids);
      }
    } finally {
      model.dispose();
    }
  }
  return {
    logitsMaxAbsDiff: logitDiffs,
    lossAbsDiff: lossDiffs,
    generationIdsEqual: idsEqual,
    withinTolerance:
      Object.values(logitDiffs).every((d) => d <= 1e-4) &&
      Object.values(lossDiffs).every((d) => d <= 1e-5) &&
      Object.values(idsEqual).every(Boolean),
  };
}

async function encoderForward(): Promise<object> {
  const model = new BertModel(bertConfigFromHF({ model_type: "bert" }), { seed: 0 });
  const runs: Record<string, object> = {};
  // Each length on its own: a failure at 512 (GPU memory, buffer limits) keeps the 128 numbers.
  for (const seq of SEQS) {
    try {
      runs[String(seq)] = await timeForwards(model, seq);
    } catch (error) {
      runs[String(seq)] = { error: (error as Error).stack ?? String(error) };
    }
  }
  model.dispose();
  return { runs };
}

async function timeForwards(model: BertModel, seq: number): Promise<object> {
  const inputIds = randomIds(BATCH, seq, seq);
  const attentionMask = inputIds.map((row) => row.map(() => 1));
  const seconds: number[] = [];
  // The first forward at each length compiles its shaders; it is timed apart.
  for (let i = 0; i <= TIMED_FORWARDS; i++) {
    const start = performance.now();
    const out = model.forward({ inputIds, attentionMask });
    await out.lastHiddenState.data();
    seconds.push((performance.now() - start) / 1000);
    tf.dispose([out.lastHiddenState, out.poolerOutput as tf.Tensor]);
  }
  const timed = seconds.slice(1).sort((a, b) => a - b);
  const median = timed[Math.floor(timed.length / 2)] as number;
  return { batch: BATCH, firstSeconds: seconds[0], seconds: timed, tokensPerSecond: (BATCH * seq) / median };
}

async function beamSearch(): Promise<object> {
  const model = randomBert2BertBase();
  const inputIds = randomIds(1, SOURCE_LENGTH, 12345);
  const attentionMask = [(inputIds[0] as number[]).map(() => 1)];
  const settings = (n: number) => exactLengthBeamSettings(BEAMS, n);
  try {
    await model.generate({ inputIds, attentionMask }, settings(1)); // warm-up: shader compilation
    const start = performance.now();
    await model.generate({ inputIds, attentionMask }, settings(NEW_TOKENS));
    const seconds = (performance.now() - start) / 1000;
    return {
      beams: BEAMS,
      sourceLength: SOURCE_LENGTH,
      newTokens: NEW_TOKENS,
      seconds,
      msPerToken: (1000 * seconds) / NEW_TOKENS,
    };
  } finally {
    model.dispose();
  }
}

async function main(): Promise<number> {
  // Auto choice first: it says why tfjs-node-gpu is not used and whether webgpu found an adapter.
  await step("initBackendAuto", async () => ({ choice: await initBackend() }));
  await step("initBackendForced", async () => ({ choice: await initBackend({ backend: BACKEND }) }));
  const forced = result.initBackendForced as { ok: boolean; error?: string };
  if (!forced.ok) {
    const skipped = { ok: false, skipped: `${BACKEND} did not start: ${forced.error?.split("\n")[0]}` };
    Object.assign(result, {
      encoderParity: skipped,
      composedParity: skipped,
      encoderForward: skipped,
      beamSearch: skipped,
      loadavgAfter: loadavg(),
    });
    save();
    return 1;
  }
  await step("encoderParity", parity);
  await step("composedParity", composedParity);
  await step("encoderForward", encoderForward);
  await step("beamSearch", beamSearch);
  result.loadavgAfter = loadavg();
  save();
  return 0;
}

// An explicit exit: a live Dawn device can keep the event loop running.
process.exit(await main());
