export { sharedDir, sharedPath, sharedSkipReason } from "./shared.js";
export { assertClose, maxAbsDiff } from "./close.js";
