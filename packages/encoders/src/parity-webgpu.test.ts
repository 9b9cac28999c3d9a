// One backend per process: the parity run on webgpu (skipped, with the reason, where no GPU adapter is found).
import { encoderParitySuite } from "./test-support/encoder-parity.js";

encoderParitySuite("webgpu");
