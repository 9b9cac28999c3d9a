// pnpm check:packages — publint (strict: warnings fail too) on every publishable package, packed the way pnpm
// publishes it, so that a wrong `exports`/`files`/`types` path fails CI instead of a user's install.
// Needs each package's dist/ (run after turbo build).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { publishablePackages, repoRoot } from "./publishable.mjs";

const publint = join(repoRoot, "node_modules", ".bin", "publint");
const failed = [];
for (const { dir, manifest } of publishablePackages()) {
  console.log(`publint ${manifest.name} (${dir})`);
  const run = spawnSync(publint, ["run", join(repoRoot, dir), "--strict", "--pack", "pnpm"], { stdio: "inherit" });
  if (run.status !== 0) failed.push(manifest.name);
}
if (failed.length > 0) {
  console.error(`publint failed for ${failed.join(", ")}`);
  process.exit(1);
}
