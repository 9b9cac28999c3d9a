// One backend per process: the parity run on the native backend (skipped where its addon did not build).
import { encoderParitySuite } from "./test-support/encoder-parity.js";

encoderParitySuite("native");
