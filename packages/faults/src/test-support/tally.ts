import { after } from "node:test";

/**
 * The counts one test file reports: what was injected and what went wrong. Printed as one
 * `faults summary` line when the file ends, so CI logs show the numbers behind the green tick.
 */
export interface Tally {
  killsInjected: number;
  filesFuzzed: number;
  hostileInputsTried: number;
  corruptFilesFound: number;
  uncaughtExceptions: number;
  leakedTokens: number;
}

export function createTally(name: string): Tally {
  const tally: Tally = {
    killsInjected: 0,
    filesFuzzed: 0,
    hostileInputsTried: 0,
    corruptFilesFound: 0,
    uncaughtExceptions: 0,
    leakedTokens: 0,
  };
  const uncaught = (): void => {
    tally.uncaughtExceptions += 1;
  };
  process.on("uncaughtExceptionMonitor", uncaught);
  after(() => {
    process.off("uncaughtExceptionMonitor", uncaught);
    console.log(
      `faults summary [${name}]: kills injected ${tally.killsInjected}, files fuzzed ${tally.filesFuzzed}, ` +
        `hostile inputs tried ${tally.hostileInputsTried}, corrupt files found ${tally.corruptFilesFound}, ` +
        `uncaught exceptions ${tally.uncaughtExceptions}, leaked tokens ${tally.leakedTokens}`,
    );
  });
  return tally;
}
