// What every results file records about where it was measured, in the shape apps/docs/src/figures.test.ts
// checks ("Quoting a figure" in README.md): the commit, the machine, the load and the date. A figure quoted
// in a README is only comparable with another when these are known.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

export interface Provenance {
  commit: string;
  commitSource: string;
  /** Whether the working tree had changes git had not committed: the code measured is then not exactly `commit`. */
  uncommittedChanges: boolean;
  date: string;
  machine: { cpuModel: string; cores: number };
  /** os.loadavg() taken before the run's first timed work: other jobs on a shared machine slow every figure. */
  loadavg: number[];
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Call with the load average read before the timed work and the run's date. Throws outside a git checkout. */
export function runProvenance(loadavgBefore: number[], date: string, cwd: string): Provenance {
  let commit: string;
  let status: string;
  try {
    commit = git(["rev-parse", "HEAD"], cwd);
    status = git(["status", "--porcelain", "--untracked-files=no"], cwd);
  } catch (error) {
    throw new Error(
      `benchmarks: cannot read the commit measured (git rev-parse HEAD in ${cwd}): ${(error as Error).message}; results files must record it`,
    );
  }
  return {
    commit,
    commitSource: "recorded by the run (git rev-parse HEAD)",
    uncommittedChanges: status !== "",
    date,
    machine: { cpuModel: cpus()[0]?.model ?? "unknown", cores: cpus().length },
    loadavg: loadavgBefore,
  };
}
