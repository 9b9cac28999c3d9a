export { sharedDir, sharedPath, sharedSkipReason } from "./shared.js";
export { assertClose, maxAbsDiff } from "./close.js";
export { startOrSkip } from "./start-or-skip.js";
export { nativeMaySkip, nativeSkipReason } from "./native.js";
export { ORACLE_LINES, OracleUnavailableError, runOracle, type OracleLine } from "./oracle.js";
export { repoRoot } from "./shared.js";
export {
  concat,
  FLOAT_2X3,
  FLOAT_2X3_STORAGE,
  op,
  pytorchBin,
  stateDictPickle,
  tensorPickle,
  torchZip,
  zipOf,
  type DenseTensor,
  type PickledTensor,
  type ZipMember,
} from "./torch-zip.js";
export { runProvenance, type Provenance } from "./provenance.js";
