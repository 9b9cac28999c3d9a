// Dense layer on wasm: linear() against tf.matMul with a transpose flag (what model code would write), for a
// BERT-base-sized layer, with tfjs-backend-wasm's own kernels and with this package's replacements.
// Prints JSON. Run: node --import tsx packages/tensors/bench/linear.ts   (ROWS, IN, OUT, REPS)
import { medianMs, useKernels } from "./timing.js";
import { initBackend, linear, tf, WASM_KERNEL_REPLACED, type LinearLayout } from "../src/index.js";

const ROWS = Number(process.env.ROWS ?? 512);
const IN = Number(process.env.IN ?? 768);
const OUT = Number(process.env.OUT ?? 768);
const REPS = Number(process.env.REPS ?? 5);

const builtins = new Map(WASM_KERNEL_REPLACED.map((name) => [name, tf.getKernel(name, "wasm") as tf.KernelConfig]));
const choice = await initBackend({ backend: "wasm" });
const ours = new Map(WASM_KERNEL_REPLACED.map((name) => [name, tf.getKernel(name, "wasm") as tf.KernelConfig]));

const x = tf.randomNormal([ROWS, IN]);
const bias = tf.randomNormal([OUT]);
const weights: Record<LinearLayout, tf.Tensor> = {
  out_in: tf.randomNormal([OUT, IN]),
  in_out: tf.randomNormal([IN, OUT]),
};
type Layer = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const matMulLayer =
  (layout: LinearLayout): Layer =>
  (a, w, b) =>
    tf.add(tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D, false, layout === "out_in"), b);
const linearLayer =
  (layout: LinearLayout): Layer =>
  (a, w, b) =>
    linear(a, w, b, layout);
const flops = 2 * ROWS * IN * OUT;

const results = (["out_in", "in_out"] as const).map((layout) => {
  const w = weights[layout];
  const time = (layer: Layer, kernels: Map<string, tf.KernelConfig>) => {
    useKernels(kernels);
    return {
      forward_ms: medianMs(() => layer(x, w, bias), REPS),
      forward_backward_ms: medianMs(
        () => tf.grads((a: tf.Tensor, ww: tf.Tensor, b: tf.Tensor) => tf.sum(layer(a, ww, b)))([x, w, bias]),
        REPS,
      ),
    };
  };
  const builtin = time(matMulLayer(layout), builtins);
  const matMulOurs = time(matMulLayer(layout), ours);
  const fast = time(linearLayer(layout), ours);
  return {
    layout,
    "tf.matMul, tfjs wasm kernels": builtin,
    "tf.matMul, replacement kernels": matMulOurs,
    linear: fast,
    linear_speedup_vs_builtin: {
      forward: builtin.forward_ms / fast.forward_ms,
      forward_backward: builtin.forward_backward_ms / fast.forward_backward_ms,
    },
    linear_forward_gflops: flops / fast.forward_ms / 1e6,
  };
});
console.log(
  JSON.stringify(
    { backend: choice.backend, wasmSimd: choice.wasmSimd, rows: ROWS, in: IN, out: OUT, reps: REPS, results },
    null,
    2,
  ),
);
