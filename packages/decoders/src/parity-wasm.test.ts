// One backend per process: the wasm parity run lives in its own file.
import { decoderParitySuite } from "./test-support/decoder-parity.js";

decoderParitySuite("wasm");
