// One backend per process: composed-model parity (logits, loss, generation goldens) on the native backend (skipped where its addon did not build).
import { compositionParitySuites } from "./test-support/parity-suites.js";

compositionParitySuites("native");
