import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

/** A transformers line the oracle installs (oracle/requirements-v5.txt, oracle/requirements-v4.txt). */
export type OracleLine = "v5" | "v4";
export const ORACLE_LINES: readonly OracleLine[] = ["v5", "v4"];

/** Thrown when real transformers cannot be run: `pnpm test:interop` fails on it instead of skipping. */
export class OracleUnavailableError extends Error {
  override name = "OracleUnavailableError";
}

/**
 * Runs `oracle/<script>` (a path relative to the repository's oracle/ folder) with real Hugging Face
 * transformers of `line`, sends `input` as JSON on stdin and returns the JSON the script prints last on
 * stdout (`args` go on its command line). The environment is set up on first use (oracle/setup.sh). Only `*.interop.ts` tests call this:
 * `pnpm test` never needs Python.
 */
export function runOracle<T = unknown>(
  line: OracleLine,
  script: string,
  input: unknown = {},
  args: readonly string[] = [],
): T {
  const root = repoRoot();
  const runner = join(root, "oracle", "run");
  const path = join(root, "oracle", script);
  if (!existsSync(path)) throw new Error(`oracle script ${path} does not exist`);
  const result = spawnSync(runner, [line, path, ...args], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: process.env,
  });
  if (result.error !== undefined) {
    throw new OracleUnavailableError(`could not start ${runner}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`oracle ${line} ${script} exited ${result.status}:\n${result.stderr.slice(-4000)}`);
  }
  const lines = result.stdout.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(
      `oracle ${line} ${script} printed no JSON result on its last line:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
    );
  }
}
