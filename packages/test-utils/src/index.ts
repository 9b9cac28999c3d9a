export { sharedDir, sharedPath, sharedSkipReason } from "./shared.js";
export { assertClose, maxAbsDiff } from "./close.js";
export { startOrSkip } from "./start-or-skip.js";
