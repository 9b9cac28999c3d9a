// Shared by the benchmarks: kernel swapping and median timing.
import { tf } from "../src/index.js";

/** Registers these configs for "wasm" in place of whatever is registered under their names. */
export function useKernels(configs: Map<string, tf.KernelConfig>): void {
  for (const [name, config] of configs) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
}

/** Median wall time in ms of `reps` runs after one warm-up, reading every output back. */
export function medianMs(run: () => tf.Tensor | tf.Tensor[], reps: number): number {
  const once = (): number => {
    const start = performance.now();
    tf.tidy(() => {
      const out = run();
      for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    });
    return performance.now() - start;
  };
  once();
  const times = Array.from({ length: reps }, once).sort((a, b) => a - b);
  return times[Math.floor(reps / 2)] as number;
}
