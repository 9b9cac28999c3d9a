// One backend per process: the parity run on the native backend (skipped where its addon did not build).
import { decoderParitySuite } from "./test-support/decoder-parity.js";

decoderParitySuite("native");
