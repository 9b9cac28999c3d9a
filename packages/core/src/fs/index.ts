/*
 * @warmstart/core/fs: the node-only half of core (the root entry imports nothing from Node, so browser
 * bundles can use it). Every package that writes a file or folder atomically uses these.
 */
export { writeFileAtomically, syncFolder, type WriteChunk } from "./atomic-file.js";
export {
  findCompleteFolder,
  parseSideName,
  recoverInterruptedSwap,
  writeFolderAtomically,
  type CompleteFolder,
  type SideKind,
  type WriteFolderOptions,
} from "./atomic-folder.js";
export { AtomicWriteError, describeFsFailure, type AtomicWriteErrorCode } from "./errors.js";
