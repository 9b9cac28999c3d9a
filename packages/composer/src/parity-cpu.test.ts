// One backend per process: composed-model parity (logits, loss, generation goldens) on the cpu backend.
import { compositionParitySuites } from "./test-support/parity-suites.js";

compositionParitySuites("cpu");
