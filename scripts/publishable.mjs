// The packages a user installs from npm: every workspace package that is not private, plus the CLI, which is
// private today (apps/cli/README.md) but ships a `bin` and must install from its tarball like the libraries.
// check-packages.mjs and pack-check.mjs both read this one list.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @returns {{ dir: string, manifest: Record<string, any> }[]} in a stable order, relative `dir`s. */
export function publishablePackages() {
  const found = [];
  for (const parent of ["packages", "apps"]) {
    for (const name of readdirSync(join(repoRoot, parent)).sort()) {
      const file = join(repoRoot, parent, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      if (manifest.private !== true || manifest.bin !== undefined) found.push({ dir: join(parent, name), manifest });
    }
  }
  return found;
}
