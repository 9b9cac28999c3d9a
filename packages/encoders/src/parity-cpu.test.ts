// One backend per process: the cpu parity run lives in its own file.
import { encoderParitySuite } from "./test-support/encoder-parity.js";

encoderParitySuite("cpu");
