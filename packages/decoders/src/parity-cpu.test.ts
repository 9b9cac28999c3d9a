// One backend per process: the cpu parity run lives in its own file.
import { decoderParitySuite } from "./test-support/decoder-parity.js";

decoderParitySuite("cpu");
