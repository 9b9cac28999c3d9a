// One backend per process: the real-transformers goldens (test-support/hf-goldens-suite.ts) on the native backend.
import { hfGoldensSuite } from "./test-support/hf-goldens-suite.js";

hfGoldensSuite("native");
