import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this file that holds pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pnpm-workspace.yaml not found above @warmstart/test-utils");
    dir = parent;
  }
  return dir;
}

/** `../shared` beside the repository (or `WARMSTART_SHARED`), or undefined when it is absent. */
export function sharedDir(): string | undefined {
  const dir = process.env.WARMSTART_SHARED ?? resolve(repoRoot(), "..", "shared");
  return existsSync(dir) ? dir : undefined;
}

/** A path inside ../shared, or undefined when ../shared or that path is absent. */
export function sharedPath(...parts: string[]): string | undefined {
  const dir = sharedDir();
  if (dir === undefined) return undefined;
  const path = join(dir, ...parts);
  return existsSync(path) ? path : undefined;
}

/**
 * For `test(name, { skip: sharedSkipReason("fixtures/parity") }, ...)`: false when the path exists,
 * otherwise a message saying why the test is skipped; an error where WARMSTART_REQUIRE_SHARED=1 (CI).
 */
export function sharedSkipReason(...parts: string[]): string | false {
  if (sharedPath(...parts) !== undefined) return false;
  if (process.env.WARMSTART_REQUIRE_SHARED === "1") {
    // CI (.ci/run) sets this: there a missing ../shared is a broken set-up, not a reason to skip tests.
    throw new Error(`WARMSTART_REQUIRE_SHARED=1 but ../shared/${parts.join("/")} is missing beside the repository`);
  }
  return `needs ../shared/${parts.join("/")} beside the repository (CI has it; a fresh clone elsewhere does not)`;
}
