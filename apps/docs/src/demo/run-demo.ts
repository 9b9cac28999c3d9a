// The browser side of the demo page: pick a TensorFlow.js backend, fetch the saved composition, generate.
import { generateText } from "@warmstart/composer";
import { registerWasmKernels, tf } from "@warmstart/tensors";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { DemoLoadError, loadDemoModel, type DemoModel } from "./load-model.js";

export interface DemoSession {
  backend: string;
  loadMs: number;
  generate(text: string): Promise<{ output: string; ms: number }>;
}

/** wasm first (exact float32 CPU kernels, SIMD where the browser has it), then webgl, then plain JavaScript. */
async function chooseBackend(wasmBase: string): Promise<string> {
  setWasmPaths(wasmBase);
  registerWasmKernels();
  for (const name of ["wasm", "webgl", "cpu"]) {
    try {
      if (await tf.setBackend(name)) return name;
    } catch {
      // try the next one
    }
  }
  throw new Error("no TensorFlow.js backend could start in this browser");
}

export async function startDemo(modelBase: string, wasmBase: string): Promise<DemoSession> {
  const backend = await chooseBackend(wasmBase);
  const started = performance.now();
  const demo: DemoModel = await loadDemoModel(async (file) => {
    const response = await fetch(`${modelBase}${file}`);
    if (!response.ok) throw new DemoLoadError("FETCH_FAILED", `${modelBase}${file}: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  const loadMs = performance.now() - started;
  return {
    backend,
    loadMs,
    async generate(text: string) {
      const t0 = performance.now();
      const [output] = await generateText(demo.model, [text], {
        tokenizer: demo.tokenizer,
        maxInputLength: 120,
        ...demo.generation,
      });
      return { output: output ?? "", ms: performance.now() - t0 };
    },
  };
}
