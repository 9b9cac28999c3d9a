/**
 * Process exit statuses of `warmstart`, stable so that scripts and CI can branch on them
 * (documented in the README). 2 follows the shell convention for "bad command line".
 */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** The work itself failed (a training step, a save, an unexpected error). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, a missing argument, a value out of range. */
  USAGE: 2,
  /** An input file or folder is missing, unreadable or malformed (wrong column, mismatched line counts). */
  INPUT: 3,
  /** A model could not be used: unknown model type, missing weights, missing config or tokenizer. */
  MODEL: 4,
  /** A download was needed but the network or the Hub refused it (offline, not found, auth). */
  NETWORK: 5,
  /** Interrupted by Ctrl-C (SIGINT), 128 + 2 as shells report it. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
