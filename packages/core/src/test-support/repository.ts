// The repository's source files, for the tests that check a convention over every package at once
// (codes.test.ts, package-boundaries.test.ts).
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPOSITORY_ROOT = resolve(import.meta.dirname, "..", "..", "..", "..");

/** Folders that hold build output, installed packages or generated files, not source. */
const SKIPPED = new Set(["node_modules", "dist", "build", "coverage"]);
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

/** Every source file under `dir` (TypeScript and JavaScript, no declaration files) that `keep` accepts by name. */
export function sourceFiles(dir: string, keep: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIPPED.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path, keep));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts") && keep(name)) out.push(path);
  }
  return out;
}
