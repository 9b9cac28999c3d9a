// The wasm kernels this package replaces, against tfjs-backend-wasm's own, on attention-shaped work.
// Prints JSON. Run: node --import tsx packages/tensors/bench/wasm_kernels.ts   (BATCH_HEADS, SEQ, HEAD, REPS)
import { medianMs, useKernels } from "./timing.js";
import { initBackend, tf, WASM_KERNEL_REPLACED } from "../src/index.js";

const G = Number(process.env.BATCH_HEADS ?? 48); // batch x heads
const T = Number(process.env.SEQ ?? 128);
const D = Number(process.env.HEAD ?? 64);
const REPS = Number(process.env.REPS ?? 5);

// Taken before initBackend installs the replacements.
const builtins = new Map(WASM_KERNEL_REPLACED.map((name) => [name, tf.getKernel(name, "wasm") as tf.KernelConfig]));
await initBackend({ backend: "wasm" });
const ours = new Map(WASM_KERNEL_REPLACED.map((name) => [name, tf.getKernel(name, "wasm") as tf.KernelConfig]));

const q = tf.randomNormal([G, T, D]);
const k = tf.randomNormal([G, T, D]);
const p = tf.softmax(tf.randomNormal([G, T, T]));
const cases: Record<string, () => tf.Tensor | tf.Tensor[]> = {
  "matMul QKᵀ [G,T,D]·[G,T,D]ᵀ": () => tf.matMul(q, k, false, true),
  "matMul PV [G,T,T]·[G,T,D]": () => tf.matMul(p, k),
  "matMul gradient Pᵀ·dO [G,T,T]ᵀ·[G,T,D]": () => tf.matMul(p, k, true, false),
  "matMul 2-D x·Wᵀ [G·T,D]·[D·2,D]ᵀ": () =>
    tf.matMul(q.reshape([G * T, D]), k.reshape([G * T, D]).slice([0, 0], [2 * D, D]), false, true),
  "unstack [G,T,D] into G pieces": () => tf.unstack(q),
  "split [G,T,D] into G pieces": () => tf.split(q, G, 0),
};
const results = Object.entries(cases).map(([name, run]) => {
  useKernels(builtins);
  const builtinMs = medianMs(run, REPS);
  useKernels(ours);
  const oursMs = medianMs(run, REPS);
  return { name, builtin_ms: builtinMs, ours_ms: oursMs, speedup: builtinMs / oursMs };
});
console.log(JSON.stringify({ backend: tf.getBackend(), groups: G, seq: T, head: D, reps: REPS, results }, null, 2));
