// The browser side of the demo page: pick the best TensorFlow.js backend, fetch the committed demo model and its
// tokenizers, generate greedily.
import { registerWasmKernels, tf } from "@warmstart/tensors";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { generateDemoOutput, type DemoOutput } from "./generation.js";
import { DemoLoadError, loadDemoModel } from "./load-model.js";
import type { DemoProvenance } from "./provenance.js";

export interface DemoSession {
  backend: string;
  /** Why a faster backend was not used ("" on WebGPU). */
  backendNote: string;
  loadMs: number;
  provenance: DemoProvenance;
  generate(text: string): Promise<DemoOutput & { ms: number }>;
}

/** WebGPU where the browser gives an adapter; else wasm (float32 CPU kernels, SIMD where the browser has it). */
async function chooseBackend(wasmBase: string): Promise<{ backend: string; note: string }> {
  let note: string;
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (gpu === undefined) {
    note = "this browser has no WebGPU (navigator.gpu)";
  } else {
    const adapter = await gpu.requestAdapter().catch(() => null);
    if (adapter === null) {
      note = "WebGPU gave no adapter";
    } else {
      // Registers the "webgpu" backend; loaded only here, so that browsers without WebGPU never download it.
      await import("@tensorflow/tfjs-backend-webgpu");
      try {
        if (await tf.setBackend("webgpu")) return { backend: "webgpu", note: "" };
        note = "the WebGPU backend did not start";
      } catch (error) {
        note = `the WebGPU backend did not start: ${(error as Error).message}`;
      }
    }
  }
  setWasmPaths(wasmBase);
  registerWasmKernels();
  if (await tf.setBackend("wasm")) return { backend: "wasm", note };
  throw new DemoLoadError("NO_BACKEND", `the wasm backend did not start (binaries under ${wasmBase}); ${note}`);
}

export async function startDemo(modelBase: string, wasmBase: string): Promise<DemoSession> {
  const { backend, note } = await chooseBackend(wasmBase);
  const started = performance.now();
  const demo = await loadDemoModel(async (file) => {
    const response = await fetch(`${modelBase}${file}`);
    if (!response.ok) throw new DemoLoadError("FETCH_FAILED", `${modelBase}${file}: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  const loadMs = performance.now() - started;
  return {
    backend,
    backendNote: note,
    loadMs,
    provenance: demo.provenance,
    async generate(text: string) {
      const t0 = performance.now();
      const output = await generateDemoOutput(
        demo.model,
        demo.tokenizers,
        text,
        demo.provenance.generation,
        demo.stored,
      );
      return { ...output, ms: performance.now() - t0 };
    },
  };
}
