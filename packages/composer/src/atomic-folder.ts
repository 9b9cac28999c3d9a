import { AtomicWriteError, writeFolderAtomically } from "@warmstart/core/fs";
import { ComposerError } from "./errors.js";

// The one definition of the folder swap is @warmstart/core/fs; composer re-exports its recovery for callers
// that write (a loader never calls it: fromPretrained reads an interrupted save where it lies).
export { recoverInterruptedSwap as recoverInterruptedSave } from "@warmstart/core/fs";

/**
 * The folder write of savePretrained and convert: core's atomic swap, keeping what the new save does not
 * write (a tokenizer saved beside the model), with its failures said as composer's SAVE_FAILED.
 */
export async function saveFolderAtomically(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  try {
    await writeFolderAtomically(dir, write, { keepOtherEntries: true });
  } catch (error) {
    if (!(error instanceof AtomicWriteError)) throw error;
    throw new ComposerError("SAVE_FAILED", error.message);
  }
}
