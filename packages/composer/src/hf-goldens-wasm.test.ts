// One backend per process: the real-transformers goldens (test-support/hf-goldens-suite.ts) on the wasm backend.
import { hfGoldensSuite } from "./test-support/hf-goldens-suite.js";

hfGoldensSuite("wasm");
