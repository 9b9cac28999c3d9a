// Benchmark helper: wraps every kernel of a backend with a wall-clock timer, to show where a forward pass
// spends its time once the matrix products are native. Kernels nest (a cpu kernel may call others directly,
// not through the registry), so times are inclusive of nothing but the registered kernel itself.
// TensorFlow.js as @warmstart/tensors re-exports it (this folder does not depend on tfjs directly).
import type { tf as tfjs } from "@warmstart/tensors";

export interface KernelTimes {
  reset(): void;
  /** Per kernel name: total milliseconds and calls since the last reset, slowest first. */
  report(): { kernel: string; ms: number; calls: number; share: number }[];
  restore(): void;
}

export function timeKernels(tf: typeof tfjs, backend: string): KernelTimes {
  const totals = new Map<string, { ms: number; calls: number }>();
  const originals = tf.getKernelsForBackend(backend);
  for (const config of originals) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: ((args: Parameters<typeof inner>[0]) => {
        const start = performance.now();
        const out = inner(args);
        const entry = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - start;
        entry.calls += 1;
        totals.set(config.kernelName, entry);
        return out;
      }) as typeof inner,
    });
  }
  return {
    reset: () => totals.clear(),
    report: () => {
      const all = [...totals.entries()].map(([kernel, t]) => ({ kernel, ms: t.ms, calls: t.calls }));
      const sum = all.reduce((s, r) => s + r.ms, 0);
      return all.sort((a, b) => b.ms - a.ms).map((r) => ({ ...r, share: sum > 0 ? r.ms / sum : 0 }));
    },
    restore: () => {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backend);
        tf.registerKernel(config);
      }
    },
  };
}
